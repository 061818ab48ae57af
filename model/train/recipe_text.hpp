#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/train/train_recipe.hpp"

namespace evostream::model {

/// One value of a recipe as people read it: `yes`/`no`, a schedule's name, a number in 4
/// significant digits, an integer as it is.
template <class T>
std::string recipe_value_text(const T& value) {
  if constexpr (std::is_same_v<T, bool>)
    return value ? "yes" : "no";
  else if constexpr (std::is_same_v<T, Schedule>)
    return kScheduleNames.at(static_cast<size_t>(value));
  else if constexpr (std::is_floating_point_v<T>)
    return fmt::format("{:.4g}", value);
  else
    return fmt::format("{}", value);
}

/// An optimizer as people read it: `sgd clip=1`, `adamw wd=0.05 clip=1 carried`.
std::string optimizer_text(const OptimizerOptions& options);

/// Every value of `recipe` as people read it, named: its fields in declaration order, its
/// objective, its optimizer (`trainer's` when it names none), then its extras in their order.
std::vector<std::pair<std::string, std::string>> recipe_entries(const TrainRecipe& recipe);

/// What differs from `before` to `after`, one `name was → now` per value in `recipe_entries`
/// order (an extra only one of them has reads `none` on the other side).
std::vector<std::string> recipe_changes(const TrainRecipe& before, const TrainRecipe& after);

}  // namespace evostream::model
