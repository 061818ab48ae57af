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

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/core/path.hpp"
#include "model/run/accuracy_matrix.hpp"
#include "model/run/commit_record.hpp"
#include "model/run/matrix_evaluator.hpp"
#include "model/run/run_observer.hpp"
#include "model/run/run_progress.hpp"
#include "model/run/run_results.hpp"
#include "model/run/state_hash.hpp"
#include "model/run/task_visit.hpp"
#include "model/strategies/mu2net/evolver.hpp"
#include "model/strategies/strategy.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// Runs a task stream synchronously: each task visit is learned by the strategy, committed to
/// the store and followed by a test evaluation of every task learned so far (one row of the
/// accuracy matrix). After every commit a rotating share of the store is re-hashed (every
/// component at least every ⌈size / 64⌉ commits), and the whole store after the last.
class StreamRunner {
 public:
  /// `root`: the root's components in path order (owned by `root`, as trained or imported).
  StreamRunner(const config::Scenario& scenario, Strategy& strategy, std::vector<Component> root,
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
  /// which immutable components guarantee) and returns what the commit did, for the caller to
  /// report (`notify`, or the actor run's snapshotter and recorder). The last visit of the
  /// stream evaluates every task again and checks each prediction hash against the one its
  /// task had when committed.
  CommitRecord commit(const std::vector<streams::TaskData>& tasks, TaskVisit& visit);
  /// Hands a commit to the observer: `task_committed`, then `checkpoint`.
  void notify(const CommitRecord& record) const;
  /// Tells the observer that visit `event` started (`task_started`).
  void announce(const std::vector<streams::TaskData>& tasks, int64_t event) const;
  /// The observer the runner reports to.
  const RunObserver& observer() const { return observer_; }
  /// How many task visits may evolve at once: the scenario's `concurrent_tasks`, or 1 for a
  /// strategy that learns the whole stream at its first visit (`Strategy::offline`), whose
  /// later visits need that visit's commit.
  int64_t concurrent_tasks() const {
    return strategy_.offline() ? 1 : scenario_.run.concurrent_tasks;
  }
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

  const config::Scenario& scenario_;
  Strategy& strategy_;
  RunObserver observer_;
  RunState state_;
  RunProgress progress_;
  // Every task's current value in the matrix (the sum of `current_` over learned tasks, and how
  // many): the average accuracy after each commit without a pass over every task.
  MatrixEvaluator evaluator_;
  // Tasks the snapshots name so far (snapshot 0 those of the stream's start; a grown run's
  // next commit the rest).
  size_t named_ = 0;
};

}  // namespace evostream::model
