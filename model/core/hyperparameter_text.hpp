#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <type_traits>

#include "model/core/hyperparameters.hpp"

namespace evostream::model {

/// One hyperparameter as people read it: `yes`/`no`, a schedule's name, a number in 4
/// significant digits, an integer as it is.
template <class T>
std::string hyperparameter_text(const T& value) {
  if constexpr (std::is_same_v<T, bool>)
    return value ? "yes" : "no";
  else if constexpr (std::is_same_v<T, Schedule>)
    return kScheduleNames.at(static_cast<size_t>(value));
  else if constexpr (std::is_floating_point_v<T>)
    return fmt::format("{:.4g}", value);
  else
    return fmt::format("{}", value);
}

}  // namespace evostream::model
