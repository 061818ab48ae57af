#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
  /// `run_state_hash` at the end; filled in by the caller that runs the stream (empty
  /// otherwise).
  std::string state_hash;
  double wall_seconds = 0.0;
  double train_seconds = 0.0;
  double evaluation_seconds = 0.0;
  /// Of the process that produced these results: seconds and bytes of snapshot writes (done
  /// alongside, by the snapshotter), wall seconds of its stream loop, and what of that was
  /// neither training nor evaluation (messaging, the store, bookkeeping). Filled in by the
  /// caller that writes snapshots; 0 otherwise.
  double snapshot_seconds = 0.0;
  int64_t snapshot_bytes = 0;
  double stream_seconds = 0.0;
  double orchestration_seconds = 0.0;
  /// Task visits committed, and how many the scenario asks for.
  int64_t events_done = 0;
  int64_t events_total = 0;
  /// False when the run stopped early (interrupted); the results cover what was committed.
  bool complete = false;
  /// Whether candidates trained in simulation: accuracies come from the simulation model and
  /// training seconds are virtual.
  bool simulated = false;
  /// Simulated runs through the actors: virtual seconds from the first task visit of this
  /// process to its last commit, with the run's trainers (`VirtualSchedule`); 0 otherwise.
  double virtual_seconds = 0.0;
};

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
  /// Snapshot 0: every task's name and classes.
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

/// A hash of a run's state: the store's content, the committed paths (components,
/// hyperparameters, scores), the stream cursor and the accuracy matrix; timings are left out.
/// Two runs that end in the same state have the same hash (16 hex digits).
std::string run_state_hash(const ParameterStore& store, const RunProgress& progress);

/// Callbacks a runner reports progress to; every one may be empty.
struct RunObserver {
  /// A task visit starts: (stream index, iteration, task).
  std::function<void(int64_t, int64_t, const streams::TaskData&)> task_started;
  /// A candidate of the current task finished.
  std::function<void(const std::string&, const CandidateRecord&)> candidate_done;
  /// A task visit was committed and evaluated: (task, the test accuracies measured, by task
  /// name, the average accuracy over every learned task).
  std::function<void(const std::string&, const std::vector<std::pair<std::string, double>>&,
                     double)>
      task_committed;
  using Checkpoint = std::function<void(const ProgressStep&, const std::vector<Component>&)>;
  /// After each commit and evaluation: what it changed and the components it added (what a
  /// snapshot writes).
  Checkpoint checkpoint;
};

/// A task visit in progress: started by `StreamRunner::begin`, completed by `commit`.
struct TaskVisit {
  /// The visit's number in the stream (task `event mod n`, iteration `event / n`).
  int64_t event = 0;
  /// When it started (its wall time counts from here).
  std::chrono::steady_clock::time_point started;
  /// The run's state the visit evolves from (see `StreamRunner::begin`); the learner reads it.
  std::shared_ptr<const RunState> state;
  std::unique_ptr<TaskContext> context;
  /// Hands out the visit's candidates; train them anywhere and record them here.
  std::unique_ptr<TaskLearner> learner;
  /// Simulated runs: virtual seconds when the visit could begin and when its last candidate
  /// ended (see `VirtualSchedule`); 0 otherwise.
  double virtual_start = 0.0;
  double virtual_end = 0.0;
};

/// Runs a task stream synchronously: each task visit is learned by the strategy, committed to
/// the store and followed by a test evaluation of every task learned so far (one row of the
/// accuracy matrix). After every commit a rotating share of the store is re-hashed (every
/// component at least every ⌈size / 64⌉ commits), and the whole store after the last.
class StreamRunner {
 public:
  /// `root`: the root's components in path order (owned by `root`, as trained or imported).
  StreamRunner(const streams::Scenario& scenario, Strategy& strategy, std::vector<Component> root,
               RunObserver observer = {});

  /// Continues from a snapshot chain: `components` are every committed component after the
  /// root's (in commit order), `progress` what the latest snapshot recorded.
  void restore(const RunProgress& progress, std::vector<Component> components);

  /// Learns `tasks` (the scenario's tasks, built, in stream order) for the scenario's
  /// iterations, from where the run stands, and returns the results. When `stop` becomes set,
  /// the task in progress is abandoned and the results of what was committed come back with
  /// `complete` false.
  RunResults run(const std::vector<streams::TaskData>& tasks,
                 const std::atomic<bool>* stop = nullptr);

  /// Starts task visit `event`. With `concurrent_tasks` = K, visit e evolves from the model as
  /// it stood after the first max(0, e − K + 1) visits were committed, and may begin as soon as
  /// they are: up to K visits evolve at once, and results do not depend on which finishes
  /// first or on where a resumed run restarted. Visits are committed in stream order. Raises
  /// `std::logic_error` when that many visits are not committed yet.
  TaskVisit begin(const std::vector<streams::TaskData>& tasks, int64_t event,
                  const std::atomic<bool>* stop = nullptr);
  /// Completes a visit whose candidates were all recorded: commits its path, evaluates the
  /// tasks whose serving path changed (a row of the matrix; the other tasks keep their values,
  /// which immutable components guarantee) and reports the checkpoint. The last visit of the
  /// stream evaluates every task again and checks each prediction hash against the one its
  /// task had when committed.
  void commit(const std::vector<streams::TaskData>& tasks, TaskVisit& visit);
  /// Replaces the observer, returning the one it had (the actor run routes the callbacks
  /// through its recorder and snapshotter actors this way).
  RunObserver replace_observer(RunObserver observer) {
    std::swap(observer_, observer);
    return observer;
  }
  /// How many task visits may evolve at once (the scenario's `concurrent_tasks`).
  int64_t concurrent_tasks() const { return scenario_.run.concurrent_tasks; }
  /// Task visits the scenario asks for.
  int64_t events_total(const std::vector<streams::TaskData>& tasks) const;
  /// Reports a trained candidate to the observer.
  void report(const std::string& task, const CandidateRecord& record) const;

  /// The results of what has been committed so far.
  RunResults results(const std::vector<streams::TaskData>& tasks) const;

  const RunState& state() const { return state_; }
  const RunProgress& progress() const { return progress_; }

 private:
  void prepare(const std::vector<streams::TaskData>& tasks);
  // The state after the first `committed` visits (≤ those done so far), sharing components.
  RunState state_as_of(const std::vector<streams::TaskData>& tasks, int64_t committed) const;

  const streams::Scenario& scenario_;
  Strategy& strategy_;
  RunObserver observer_;
  RunState state_;
  RunProgress progress_;
  // Every task's current value in the matrix (the sum of `current_` over learned tasks, and how
  // many): the average accuracy after each commit without a pass over every task.
  std::vector<std::optional<double>> current_;
  double current_sum_ = 0.0;
  int64_t current_count_ = 0;
};

}  // namespace evostream::model
