#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/core/path.hpp"
#include "model/run/accuracy_matrix.hpp"
#include "model/run/run_results.hpp"

namespace evostream::model {

/// What a run has done besides the store's components: everything a snapshot records to
/// continue the run exactly where it stopped.
struct RunProgress {
  /// Task visits committed (the stream cursor: visit e is task e mod n of iteration e / n).
  int64_t events_done = 0;
  /// The path each task committed last, and the last task committed.
  std::map<std::string, Path> paths;
  std::string last_task;
  /// The accuracy matrix so far: the task each row learned, and the entries measured after
  /// each event (see `AccuracyMatrix`: unmeasured learned tasks keep their earlier value).
  std::vector<int64_t> row_learned;
  std::vector<std::vector<MatrixEntry>> rows;
  /// Per stream task: what has been accumulated (seconds, candidates, added parameters, the
  /// accuracy right after learning, validation accuracy, prediction checks).
  std::vector<TaskResult> tasks;
  /// Per task: the hash of its test predictions when it was committed.
  std::map<std::string, std::string> committed_hash;
  /// The strategy's own state (`Strategy::counters`).
  std::map<std::string, int64_t> strategy_counters;
  double train_seconds = 0.0;
  double evaluation_seconds = 0.0;
  double wall_seconds = 0.0;
};

/// What one commit changed: everything a snapshot records besides the components it added.
/// Its size does not grow with the tasks that came before (a final row may hold every task).
struct ProgressStep {
  /// Task visits committed after it; 0 for the first snapshot, which names the tasks.
  int64_t events_done = 0;
  double train_seconds = 0.0;
  double evaluation_seconds = 0.0;
  double wall_seconds = 0.0;
  /// Snapshot 0: every task's name and classes; a later one: the tasks a grown run added
  /// since the snapshot before (usually none).
  std::vector<std::pair<std::string, int64_t>> tasks;
  /// The task learned (stream index), its account after the commit and its committed path.
  int64_t learned = -1;
  TaskResult task;
  Path path;
  /// The entries of the matrix measured after it, with the hash of each task's predictions.
  std::vector<MatrixEntry> entries;
  std::vector<std::string> entry_hashes;
  /// The strategy counters of the task learned.
  std::map<std::string, int64_t> counters;
};

}  // namespace evostream::model
