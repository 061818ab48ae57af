#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "model/run/stream_runner.hpp"

namespace evostream::app {

/// How `compare` prints. Default: a table.
enum class CompareFormat { kTable, kJson, kCsv };

/// `evostream compare RUN_DIR...`: the runs side by side, one column per run: the headline
/// metrics, then test accuracy per task.
///
/// Runs of one scenario and strategy that differ only in their seed form a group; each group
/// of two or more gets a column of mean ± standard deviation (the sample one, n − 1) per
/// metric. Runs of different scenarios are compared too, with a warning: their tasks differ.
class CompareCommand {
 public:
  explicit CompareCommand(std::vector<std::string> run_dirs,
                          CompareFormat format = CompareFormat::kTable)
      : run_dirs_(std::move(run_dirs)), format_(format) {}
  /// Runs the command, the comparison to `out` and warnings to `err`; returns the exit status.
  /// Raises `StorageError` naming a run directory without a readable `results.json`.
  int run(std::ostream& out, std::ostream& err) const;

  /// The table for `runs` (read from `dirs`).
  static std::string table(const std::vector<model::RunResults>& runs,
                           const std::vector<std::string>& dirs);
  /// The same as one JSON object: `runs` (dir, label, scenario, strategy, seed, metrics, tasks)
  /// and `groups` (scenario, strategy, seeds, mean and std of each metric).
  static std::string json(const std::vector<model::RunResults>& runs,
                          const std::vector<std::string>& dirs);
  /// The same as CSV: `metric,<label>...`, one row per metric and then per task.
  static std::string csv(const std::vector<model::RunResults>& runs,
                         const std::vector<std::string>& dirs);
  /// The warning for runs of different scenarios, or "" when they share one.
  static std::string warning(const std::vector<model::RunResults>& runs);

 private:
  std::vector<std::string> run_dirs_;
  CompareFormat format_;
};

}  // namespace evostream::app
