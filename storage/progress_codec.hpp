#pragma once

#include <string>

#include "model/run/stream_runner.hpp"

namespace evostream::storage {

/// What a run directory records about how the run was started (beyond the scenario copy).
struct RunIdentity {
  /// The scenario's name.
  std::string scenario;
  /// The strategy that runs (the scenario's, or `--strategy`).
  std::string strategy;
  /// The run seed (the scenario's, or `--seed`).
  uint64_t seed = 1;
  /// Task visits the run makes in all.
  int64_t events_total = 0;
};

/// Converts a run's progress to and from the JSON text snapshots store.
///
/// Each snapshot holds only what its task visit changed (the task it learned, that task's path
/// and counters, the entries of the accuracy matrix measured after it with the prediction
/// hashes behind them), so its size does not grow with the number of earlier tasks (the last
/// visit's row measures every task); snapshot 0 names the tasks. Older snapshots with a full
/// row read too. Reading the chain folds the snapshots back into the whole progress. Numbers are
/// written so they read back to the same bits, so a resumed run continues from exactly the state
/// the snapshots captured.
class ProgressCodec {
 public:
  /// The JSON text of one commit's step (`step.events_done` = 0: the task list).
  static std::string encode(const RunIdentity& identity, const model::ProgressStep& step);
  /// Folds what `encode` wrote into `progress` (which holds the snapshots before it); raises
  /// `StorageError` naming `file` and the first bad field, leaving `progress` as it was.
  static RunIdentity apply(const std::string& text, const std::string& file,
                           model::RunProgress& progress);
  /// Reads what `encode` wrote into `step`, checking it against `progress` (the snapshots
  /// before it) without changing it; raises like `apply`.
  static RunIdentity decode(const std::string& text, const std::string& file,
                            const model::RunProgress& progress, model::ProgressStep& step);
  /// Folds a step `decode` accepted into `progress`; cannot fail.
  static void fold(const model::ProgressStep& step, model::RunProgress& progress);
};

}  // namespace evostream::storage
