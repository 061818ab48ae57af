#pragma once

#include <stdexcept>

namespace evostream::model {

/// Raised inside a task's learning when the run was asked to stop (SIGINT): the task is
/// abandoned, and what was committed before it stays committed.
class RunInterrupted : public std::runtime_error {
 public:
  RunInterrupted() : std::runtime_error("the run was interrupted") {}
};

}  // namespace evostream::model
