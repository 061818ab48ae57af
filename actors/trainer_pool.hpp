#pragma once

#include <caf/all.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/component_cache.hpp"
#include "actors/messages.hpp"

namespace evostream::actors {

/// What a worker joining the pool over the network needs to build its trainer.
struct WorkerOffer {
  /// The scenario's TOML text (the worker reads the same datasets from its own disk).
  std::string scenario;
  /// The run seed (the scenario's or the one given on the command line).
  uint64_t seed = 1;
};

/// What the pool does when its last trainer is gone.
struct TrainerLoss {
  /// Waiting jobs wait this long for a trainer to join before they fail; 0 fails them at once
  /// (what a pool nobody can join should do). Default: 0.
  std::chrono::seconds wait{0};
  /// Told, on the pool's thread, that the pool has no trainer left and waits `wait` for one.
  /// Default: none.
  std::function<void(std::chrono::seconds)> on_wait;
};

/// State of the trainer pool: jobs waiting, trainers idle.
struct TrainerPoolState {
  WorkerOffer offer;
  TrainerLoss loss;
  /// Counts the waits for a trainer; a wait's timeout acts only while its number is current.
  uint64_t wait_number = 0;
  /// True while the pool, without a trainer, waits for one to join.
  bool waiting = false;
  struct Pending {
    local_job job;
    caf::typed_response_promise<local_reply> promise;
  };
  std::deque<Pending> queue;
  /// The job each busy trainer runs.
  std::map<caf::actor_addr, std::shared_ptr<Pending>> busy;
  std::vector<caf::actor> idle;
  /// Trainers that are alive (idle or busy).
  std::set<caf::actor_addr> alive;
  /// Jobs re-queued because their trainer died.
  int64_t requeued = 0;
  /// Wall seconds during which at least one trainer had a job (the union of the jobs' times,
  /// not their sum), and since when the current such stretch runs.
  double busy_seconds = 0.0;
  std::chrono::steady_clock::time_point busy_since;
  /// Per remote trainer, the frozen components sent to it (later jobs refer to them).
  std::map<caf::actor_addr, SentComponents> sent;
  /// Who waits for how many trainers to be alive (`await_atom`).
  std::vector<std::pair<int64_t, caf::typed_response_promise<bool>>> awaiting;
  static inline const char* name = "trainer_pool";
};

/// The trainer pool's interface: `local_job` → `local_reply`; `(join_atom, actor)` adds a
/// trainer; `(await_atom, n)` → `true` once n trainers are alive; `scenario_atom` → (scenario
/// text, seed); `status_atom` → (alive trainers, idle trainers, queued jobs, re-queued jobs, busy
/// seconds); `(rejoin_atom, n)` is its own timer's.
using trainer_pool_actor =
    caf::typed_actor<caf::replies_to<local_job>::with<local_reply>,
                     caf::reacts_to<join_atom, caf::actor>,
                     caf::replies_to<await_atom, int64_t>::with<bool>,
                     caf::replies_to<scenario_atom>::with<std::string, uint64_t>,
                     caf::replies_to<status_atom>::with<int64_t, int64_t, int64_t, int64_t, double>,
                     caf::reacts_to<rejoin_atom, uint64_t>>;

/// The trainer pool: a dispatcher that keeps every trainer busy.
///
/// `local_job` → `local_reply`: the job waits in a queue until a trainer is idle. A trainer of
/// this process gets it as it is (shared handles to its components); a trainer on another node
/// gets it encoded as a `train_job`, and its `train_reply` is decoded; a job that cannot travel
/// (`BlobCodec::remotable`) waits for a trainer of this process, and fails when there is none. When
/// a trainer dies with a job, the job goes back to the front of the queue and another trainer runs
/// it; the run goes on. `(join_atom, actor)` adds a trainer (a remote one, say); `status_atom`
/// replies (alive trainers, idle trainers, queued jobs, re-queued jobs, seconds some trainer was
/// busy); `(await_atom, n)` replies `true` once n trainers are alive (at once if they are);
/// `scenario_atom` replies (scenario text, seed) for workers. With no trainer left, waiting jobs
/// wait `loss.wait` for a trainer to join, then fail with an error.
trainer_pool_actor::behavior_type trainer_pool(
    trainer_pool_actor::stateful_pointer<TrainerPoolState> self, std::vector<caf::actor> trainers,
    WorkerOffer offer, TrainerLoss loss);

}  // namespace evostream::actors
