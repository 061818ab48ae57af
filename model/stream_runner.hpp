#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/component.hpp"
#include "model/evolution/evolver.hpp"
#include "model/evolution/path.hpp"
#include "model/metrics/accuracy_matrix.hpp"
#include "model/strategies/strategy.hpp"
#include "streams/scenario.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// The final account of one task of a run.
struct TaskResult {
  std::string name;
  int64_t classes = 0;
  /// Test accuracy at the end of the run (the matrix's last row).
  double test_accuracy = 0.0;
  /// Test accuracy right after the task was last learned.
  double accuracy_after_learning = 0.0;
  /// Validation accuracy (quality) of its committed path.
  double validation_accuracy = 0.0;
  /// Score of its committed path.
  double score = 0.0;
  /// Parameters charged to it at the end: each component split among the tasks using it.
  double accounted_params = 0.0;
  /// Parameters of the components it added to the store.
  int64_t params_added = 0;
  /// Parameters its serving path runs through.
  int64_t path_params = 0;
  /// Forward FLOPs per example of its serving path.
  double inference_flops = 0.0;
  /// Seconds spent training its candidates, over all its visits.
  double train_seconds = 0.0;
  /// Candidates trained for it, over all its visits.
  int64_t candidates = 0;
  /// Its serving path at the end.
  Path path;
  /// Whether every later evaluation reproduced the predictions it had when it was committed.
  bool predictions_identical = true;
  /// A hash of its final test predictions.
  std::string predictions_hash;
  /// Avalanche forgetting and max-based forgetting; empty for the task learned last.
  std::optional<double> forgetting;
  std::optional<double> max_forgetting;
};

/// Everything a run measured.
struct RunResults {
  std::string scenario;
  std::string strategy;
  uint64_t seed = 1;
  std::vector<TaskResult> tasks;
  AccuracyMatrix matrix{{}};
  double average_accuracy = 0.0;
  double bwt = 0.0;
  double forgetting = 0.0;
  double max_forgetting = 0.0;
  /// Parameters of the root without its head (the score's normaliser).
  double root_params = 0.0;
  /// Parameters needed to serve every task now (the union of the serving paths).
  int64_t total_params = 0;
  /// Parameters in the store (every committed component, root included).
  int64_t store_params = 0;
  /// Mean accounted parameters per task.
  double params_per_task = 0.0;
  /// The store's content hash at the end.
  std::string store_hash;
  double wall_seconds = 0.0;
  double train_seconds = 0.0;
  double evaluation_seconds = 0.0;
};

/// Callbacks a runner reports progress to; every one may be empty.
struct RunObserver {
  /// A task visit starts: (stream index, iteration, task).
  std::function<void(int64_t, int64_t, const streams::TaskData&)> task_started;
  /// A candidate of the current task finished.
  std::function<void(const std::string&, const CandidateRecord&)> candidate_done;
  /// A task visit was committed and every learned task evaluated: (task, its row of test
  /// accuracies, the average accuracy of that row).
  std::function<void(const std::string&, const std::vector<std::optional<double>>&, double)>
      task_committed;
};

/// Runs a task stream synchronously: each task visit is learned by the strategy, committed to
/// the store and followed by a test evaluation of every task learned so far (one row of the
/// accuracy matrix). The store is verified after every commit.
class StreamRunner {
 public:
  /// `root`: the root's components in path order (owned by `root`, as trained or imported).
  StreamRunner(const streams::Scenario& scenario, Strategy& strategy, std::vector<Component> root,
               RunObserver observer = {});

  /// Learns `tasks` (the scenario's tasks, built, in stream order) for the scenario's
  /// iterations and returns the results.
  RunResults run(const std::vector<streams::TaskData>& tasks);

  const RunState& state() const { return state_; }

 private:
  const streams::Scenario& scenario_;
  Strategy& strategy_;
  RunObserver observer_;
  RunState state_;
};

}  // namespace evostream::model
