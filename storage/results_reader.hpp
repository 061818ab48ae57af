#pragma once

#include <string>

#include "model/run/stream_runner.hpp"

namespace evostream::storage {

/// Reads a run's `results.json` back into `RunResults` (what `ResultsWriter` wrote).
///
/// `report`, `compare` and `replay` work from this file alone. Files written before a field
/// existed read it as its default (a path's task, quality and score, the state hash).
class ResultsReader {
 public:
  /// Reads `path`. Raises `StorageError` naming the file, and the key, what was expected and
  /// what was found, when it cannot be read or is not a results file.
  static model::RunResults read(const std::string& path);
  /// Reads `run_dir/results.json`; a directory without one is reported as not a run (one line
  /// naming the directory and what to do).
  static model::RunResults read_run(const std::string& run_dir);
  /// Parses `text` as the contents of `file` (named in errors).
  static model::RunResults parse(const std::string& text, const std::string& file);
};

}  // namespace evostream::storage
