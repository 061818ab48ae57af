#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "model/run/stream_runner.hpp"

namespace evostream::app {

/// `evostream compare RUN_DIR...`: the runs side by side, one column per run: the headline
/// metrics, then test accuracy per task.
class CompareCommand {
 public:
  explicit CompareCommand(std::vector<std::string> run_dirs) : run_dirs_(std::move(run_dirs)) {}
  /// Runs the command; returns the exit status. Raises `StorageError` naming a run directory
  /// without a readable `results.json`.
  int run(std::ostream& out) const;

  /// The table for `runs` (read from `dirs`).
  static std::string table(const std::vector<model::RunResults>& runs,
                           const std::vector<std::string>& dirs);

 private:
  std::vector<std::string> run_dirs_;
};

}  // namespace evostream::app
