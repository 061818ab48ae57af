#pragma once

#include <string>

#include "model/run/stream_runner.hpp"

namespace evostream::storage {

/// Writes a run's results: `results.json` (schema in `docs/formats.md`, "results.json") and
/// `accuracy_matrix.csv`.
class ResultsWriter {
 public:
  /// The results as a JSON document (pretty-printed, keys in a fixed order). The accuracy
  /// matrix is written in full (`accuracy_matrix`) up to 250,000 cells, null beyond, and
  /// always as the entries measured per row (`accuracy_matrix_entries`: [task index, accuracy]).
  static std::string json(const model::RunResults& results);
  /// Writes `json(results)` to `path` through a temporary file and a rename, so a reader never
  /// sees half a file. Raises `StorageError` naming the file when it cannot be written.
  static void write(const std::string& path, const model::RunResults& results);
  /// The accuracy matrix as CSV: a header `learned,<task>...`, then one row per learning event
  /// (the task it learned, then each task's test accuracy as a fraction; empty before a task
  /// was learned). Beyond 250,000 cells, one line per measured entry instead:
  /// `row,learned,task,accuracy`.
  static std::string csv(const model::RunResults& results);
  /// Writes `text` to `path` the same way (temporary file, rename).
  static void write_text(const std::string& path, const std::string& text);
};

}  // namespace evostream::storage
