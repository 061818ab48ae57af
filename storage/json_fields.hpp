#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "model/core/path.hpp"
#include "model/train/train_recipe.hpp"

namespace evostream::storage {

/// The JSON forms of values that `results.json` and snapshots share.
class JsonFields {
 public:
  using Json = nlohmann::ordered_json;

  /// An optimizer's options, the update rule by name ("sgd", "adamw").
  static Json optimizer(const model::OptimizerOptions& o);
  /// Reads what `optimizer` wrote; raises on a missing key or an unknown rule.
  static model::OptimizerOptions optimizer_from(const Json& j);
  /// A path's recipe, one key per field (the schedule by name), `objective`, `optimizer` (null
  /// for the trainer's own), then one per extra (an integer one as an integer).
  static Json recipe(const model::TrainRecipe& recipe);
  /// Reads what `recipe` wrote: every other key is an extra, in the order written (a file
  /// without `objective` or `optimizer` reads as cross-entropy and the trainer's own); raises on
  /// a missing field, an unknown schedule or optimizer, or an extra that is not a number.
  static model::TrainRecipe recipe_from(const Json& j);
  /// A path: name, task, components, quality, score, parent, recipe (files written before
  /// recipes name it `hyperparameters`, which `path_from` reads too).
  static Json path(const model::Path& p);
  static model::Path path_from(const Json& j);
  /// A number, or null when empty.
  static Json optional_number(const std::optional<double>& v);
  /// "constant", "cosine" or "restarts".
  static const char* schedule_name(model::Schedule schedule);
};

}  // namespace evostream::storage
