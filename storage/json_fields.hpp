#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "model/core/hyperparameters.hpp"
#include "model/core/path.hpp"

namespace evostream::storage {

/// The JSON forms of values that `results.json` and snapshots share.
class JsonFields {
 public:
  using Json = nlohmann::ordered_json;

  /// A path's hyperparameters, one key per field (the schedule by name).
  static Json hyperparameters(const model::Hyperparameters& hp);
  /// Reads what `hyperparameters` wrote; raises on a missing key or an unknown schedule.
  static model::Hyperparameters hyperparameters_from(const Json& j);
  /// A path: name, task, components, quality, score, parent, hyperparameters.
  static Json path(const model::Path& p);
  static model::Path path_from(const Json& j);
  /// A number, or null when empty.
  static Json optional_number(const std::optional<double>& v);
  /// "constant", "cosine" or "restarts".
  static const char* schedule_name(model::Schedule schedule);
};

}  // namespace evostream::storage
