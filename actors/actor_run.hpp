#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/coordinator.hpp"
#include "actors/tls_credentials.hpp"
#include "config/scenario.hpp"
#include "model/run/stream_runner.hpp"
#include "streams/task_data.hpp"

namespace evostream::actors {

/// How the actor system of a run is set up.
struct ActorRunOptions {
  /// Local trainer actors (one thread each); 0 is allowed when workers are awaited. Default: 1.
  int64_t trainers = 1;
  /// What the local trainers train each candidate with (they share it, and with it its prefix
  /// cache); its settings are those of one candidate's training. Required.
  std::shared_ptr<const model::CandidateTrainer> trainer;
  /// Accept remote trainers (`evostream worker`) on this TCP port; 0 lets the system choose.
  /// Default: none.
  std::optional<uint16_t> listen;
  /// The address to listen on. Default: "127.0.0.1" (loopback only).
  std::string bind = "127.0.0.1";
  /// Workers authenticate and traffic is encrypted with these (mutual TLS); without them the
  /// pool listens on plain TCP, open to anyone who reaches the port. Default: none.
  std::optional<TlsCredentials> credentials;
  /// Largest message taken from a worker, in bytes: a connection announcing a bigger one is
  /// closed before anything is allocated (`FrameRelay`). Default: 1 GiB.
  uint64_t max_message = uint64_t{1} << 30;
  /// Called, on the network's thread, with one line for each connection refused or cut (a
  /// failed handshake, a message over `max_message`). Default: none.
  std::function<void(const std::string&)> on_refusal;
  /// Wait until this many remote trainers joined before the first task. Default: 0.
  int64_t wait_workers = 0;
  /// How long to wait for them before the run fails, and, when the run listens and its last
  /// trainer went away, how long its jobs wait for another to join. Default: 120 s.
  std::chrono::seconds worker_timeout{120};
  /// Called when a listening run has no trainer left and starts waiting `worker_timeout` for
  /// one.
  std::function<void(std::chrono::seconds)> on_trainer_wait;
  /// The scenario text and seed offered to workers.
  std::string scenario_text;
  uint64_t seed = 1;
  /// Called with the port once listening.
  std::function<void(uint16_t)> on_listen;
  /// Ignore the tasks' arrival delays (`delay` in the scenario) and run as fast as possible.
  /// Default: false.
  bool fast = false;
  /// Called before waiting for a task that arrives after a delay: (task, seconds).
  std::function<void(const std::string&, double)> on_wait;
  /// A served run: when set, the run stays up once its stream is learned, and a gateway actor
  /// grows the stream while it runs: on each `arrive()` it calls `grow` with the stream's
  /// latest tasks, and when that gives more (those tasks followed by the ones that arrived),
  /// the coordinator begins the new ones as `concurrent_tasks` allows, beside any still
  /// learning. `grow` runs on the gateway's thread and may load datasets; what it raises goes
  /// to `on_growth_error` (on the recorder). Only streams of one iteration grow. Default: none
  /// (the run ends with its stream).
  std::function<std::shared_ptr<const std::vector<streams::TaskData>>(
      const std::vector<streams::TaskData>&)>
      grow;
  std::function<void(const std::string&)> on_growth_error;
  /// A served run: called (on the calling thread of `run`) each time its stream is learned,
  /// once every event is shown and every snapshot written, with the results so far. The run
  /// is still meanwhile: a task that arrives waits until it returns. Default: none.
  std::function<void(const model::RunResults&)> on_idle;
};

/// Runs a stream through the actor system: a `stream_source` actor announces the tasks in
/// stream order, each its scenario `delay` after the one before (all at once when `fast`);
/// trainer actors (local, and remote ones
/// that join over the network) behind a trainer pool, one evolver actor per task visit, and this
/// thread as the coordinator that starts each visit and commits it through the `StreamRunner` (the
/// only writer of the store; its checkpoint writes the snapshot). Up to `concurrent_tasks` visits
/// evolve at once (their evolvers share the pool); they are committed in stream order.
///
/// When the trainer simulates, arrival delays are virtual (tasks arrive at once) and candidates
/// are placed on a virtual schedule.
///
/// The outcome is the same as `StreamRunner::run` (the same state hash) for any number and kind
/// of trainers: each candidate trains from its own seed and results are recorded in candidate
/// order.
class ActorRun {
 public:
  explicit ActorRun(ActorRunOptions options);

  /// Learns the rest of the stream with `runner`; stops (results with `complete` false) after
  /// `stop()`. Raises `std::runtime_error` when a job fails for another reason than the stop, a
  /// commit or a snapshot fails, the port cannot be opened or awaited workers do not come
  /// within `worker_timeout`.
  model::RunResults run(model::StreamRunner& runner,
                        std::shared_ptr<const std::vector<streams::TaskData>> tasks,
                        const std::atomic<bool>* stop = nullptr);

  /// Jobs that were run again because their trainer died, in the last run.
  int64_t requeued() const { return requeued_; }
  /// Wall seconds of the last run during which at least one trainer had a job (however many
  /// trainers worked at once).
  double busy_seconds() const { return busy_seconds_; }

  /// Asks the run in progress (or the next one) to stop: the visits in flight are abandoned
  /// and `run` returns the results of what was committed. Safe from any thread; the trainers
  /// stop their jobs when `stop` (given to `run`) is set.
  void stop();
  /// A served run (`ActorRunOptions::grow`): tasks may have arrived; the gateway actor looks.
  /// Safe from any thread; a no-op while no run is in progress (a run's gateway looks once
  /// when it starts).
  void arrive();

 private:
  ActorRunOptions options_;
  int64_t requeued_ = 0;
  double busy_seconds_ = 0.0;
  std::mutex mutex_;
  coordinator_actor coordinator_;
  caf::actor gateway_;
  bool stop_requested_ = false;
};

}  // namespace evostream::actors
