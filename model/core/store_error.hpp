#pragma once

#include <stdexcept>
#include <string>

namespace evostream::model {

/// Raised when the parameter store refuses an operation: a write to a frozen component, an
/// unknown id, a component committed by a task that does not own it.
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace evostream::model
