#pragma once

#include <string>

#include "model/stream_runner.hpp"

namespace evostream::storage {

/// Writes a run's results as `results.json` (schema in the README, "results.json").
class ResultsWriter {
 public:
  /// The results as a JSON document (pretty-printed, keys in a fixed order).
  static std::string json(const model::RunResults& results);
  /// Writes `json(results)` to `path` through a temporary file and a rename, so a reader never
  /// sees half a file. Raises `StorageError` naming the file when it cannot be written.
  static void write(const std::string& path, const model::RunResults& results);
};

}  // namespace evostream::storage
