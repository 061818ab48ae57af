#pragma once

#include <string>
#include <vector>

#include "model/train/train_recipe.hpp"

namespace evostream::model {

/// A task's model: the ids of its components in forward order, the recipe it trains with and
/// its scores.
///
/// A path names components; it owns none. Committed paths name only components in the
/// `ParameterStore`; a candidate's path may also name the unfrozen components it trained.
struct Path {
  /// Unique name, e.g. `tops-4@0.2.1` (task @ iteration.generation.child) or `root`.
  std::string name;
  /// The task the path serves (`root` for the root model's own path).
  std::string task;
  /// Component ids in forward order.
  std::vector<std::string> ids;
  /// How it trains (µ2Net: its "DNA", tuned by evolution).
  TrainRecipe recipe;
  /// Best validation accuracy its training reached.
  double quality = 0.0;
  /// quality × s^(accounted params / root params) when it was scored.
  double score = 0.0;
  /// The name of the path it was derived from; empty for the root and baselines.
  std::string parent;
};

}  // namespace evostream::model
