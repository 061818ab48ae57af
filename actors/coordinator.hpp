#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/evolver_actor.hpp"
#include "actors/messages.hpp"
#include "actors/parameter_owner.hpp"
#include "model/run/stream_runner.hpp"
#include "model/run/virtual_schedule.hpp"
#include "model/run/visit_window.hpp"
#include "model/train/candidate_trainer.hpp"

namespace evostream::actors {

/// What the coordinator of a run works with. The runner, the schedule and the estimator must
/// outlive it.
struct CoordinatorSetup {
  model::StreamRunner* runner = nullptr;
  /// The stream's tasks, in stream order.
  std::shared_ptr<const std::vector<streams::TaskData>> tasks;
  /// The parameter owner (begins and commits visits) and the trainer pool.
  parameter_owner_actor owner;
  trainer_pool_actor pool;
  /// Where observer calls go, in order (the recorder; `on_wait` and `observer`'s calls are run
  /// there), and where each commit's snapshot is written (the snapshotter; none without a
  /// checkpoint).
  caf::actor recorder;
  caf::actor writer;
  /// What the run reports to: visits started, candidates, commits and their checkpoints.
  model::RunObserver observer;
  /// Arrival delays of the tasks, in seconds after the previous one (all 0: at once).
  std::vector<double> delays;
  /// Simulated runs: the tasks' arrivals in virtual seconds and the trainers' schedule; empty
  /// and null for real training.
  std::vector<double> virtual_arrivals;
  model::VirtualSchedule* schedule = nullptr;
  /// Orders each batch's jobs longest expected first; may be null (batch order).
  const model::CandidateTrainer* estimator = nullptr;
  /// Trainers that must be alive before the first visit begins, and how long to wait for them.
  int64_t trainers = 1;
  std::chrono::seconds await_timeout{120};
  /// Set when the run should stop (the trainers see it at their next validation); the
  /// coordinator itself learns it from `stop_atom`. May be null.
  const std::atomic<bool>* stop = nullptr;
  /// Called (on the recorder) before waiting for a task that arrives after a delay: (task,
  /// seconds).
  std::function<void(const std::string&, double)> on_wait;
  /// A served run: once every visit is committed the coordinator answers `start_atom` and
  /// stays, for the stream to grow (`grow_atom`), until it is asked to go on. Default: false
  /// (it ends with its stream).
  bool open = false;
};

/// State of the coordinator: the window of visits, those in flight and what is pending.
struct CoordinatorState {
  CoordinatorSetup setup;
  std::optional<model::VisitWindow> window;
  /// Visits begun, oldest first, with their evolvers (until committed).
  struct InFlight {
    std::shared_ptr<model::TaskVisit> visit;
    caf::actor evolver;
  };
  std::deque<InFlight> in_flight;
  /// Sends each candidate an evolver recorded to the recorder.
  CandidateReport report;
  caf::actor source;
  caf::response_promise done;
  /// Requests to the owner not answered yet, and evolvers awaited after the run ended.
  int64_t owner_pending = 0;
  int64_t downs_pending = 0;
  bool finishing = false;
  bool stopping = false;
  /// The first error; whether it ends the run as a failure is decided at the end.
  caf::error failure;
  /// The task whose arrival `on_wait` was last called for.
  int64_t waited_for = -1;
  /// An open run that answered `start_atom` with its stream learned (at `answered` visits
  /// committed), and the stream it grew to meanwhile (begun when asked to go on).
  bool paused = false;
  int64_t answered = -1;
  std::shared_ptr<const std::vector<streams::TaskData>> grown;
  std::chrono::steady_clock::time_point stream_start;
  std::vector<double> arrivals;
  static inline const char* name = "coordinator";
};

/// The coordinator's interface:
///
/// ```
/// start_atom              → (int64_t visits committed, double latest virtual commit,
///                            bool still open)
/// (arrive_atom, int64_t)  a task has arrived (from the stream source)
/// (grow_atom, tasks_ref)  the stream grew: its new tasks have arrived (from the gateway)
/// stop_atom               abandon the visits in flight and answer start_atom
/// ```
using coordinator_actor =
    caf::typed_actor<caf::replies_to<start_atom>::with<int64_t, double, bool>,
                     caf::reacts_to<arrive_atom, int64_t>, caf::reacts_to<grow_atom, tasks_ref>,
                     caf::reacts_to<stop_atom>>;

/// The coordinator of a run: an event-based actor that starts task visits as their tasks
/// arrive and the window (`[run] concurrent_tasks`) allows, spawns an evolver for each, and
/// commits them in stream order through the parameter owner (`model::VisitWindow` holds the
/// rules).
///
/// `start_atom` → `(int64_t, double, bool)`: the visits committed and the latest virtual commit
/// (simulated runs; 0 otherwise), once every visit is (after waiting for
/// `setup.trainers` trainers to be alive), or once a `stop_atom` came (the visits in flight are
/// abandoned); an error when a visit failed, and always when a commit or a begin failed, even
/// after a stop. It answers only after every request it made to the owner was answered and
/// every evolver it spawned is gone, so the run's state is still when it does. The `bool` says
/// that an open run (`setup.open`) answered with its stream learned and stays: nothing moves
/// until the next `start_atom`, which begins the tasks the stream grew by meanwhile and is
/// answered the same way once they are learned (not before the stream grows); otherwise the
/// coordinator is gone.
coordinator_actor::behavior_type coordinator(
    coordinator_actor::stateful_pointer<CoordinatorState> self, CoordinatorSetup setup);

}  // namespace evostream::actors
