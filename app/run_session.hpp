#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "actors/tls_credentials.hpp"
#include "app/arrival_bell.hpp"
#include "app/run_events.hpp"
#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "storage/fault_injection.hpp"
#include "storage/run_directory.hpp"
#include "streams/task_data.hpp"

namespace evostream::app {

/// The exit status of a run stopped by Ctrl-C (SIGINT) after its clean stop: 128 + SIGINT, as a
/// shell reports a process the signal ended, so `evostream run ... && next` does not go on.
constexpr int kInterruptedStatus = 130;

/// Where remote trainers may join a run.
struct RunNetwork {
  /// TCP port to accept workers on (0: any free one). Default: none.
  std::optional<uint16_t> listen;
  /// Address to listen on. Default: loopback.
  std::string bind = "127.0.0.1";
  /// The workers' credentials (mutual TLS); none listens on plain TCP. Default: none.
  std::optional<actors::TlsCredentials> credentials;
  /// Workers to wait for before the first task. Default: 0.
  int64_t wait_workers = 0;
  /// How long to wait for them, and for a new trainer when the last one went away.
  /// Default: 120 s.
  std::chrono::seconds worker_timeout{120};
  /// Largest message taken from a worker, in bytes. Default: 1 GiB.
  uint64_t max_message = uint64_t{1} << 30;
  /// The scenario text offered to workers.
  std::string scenario_text;
  /// Ignore the tasks' arrival delays. Default: false.
  bool fast = false;
};

/// Drives a run into its directory: learns the stream from where it stands, reports its events,
/// writes a snapshot after every task commit and `results.json` and `accuracy_matrix.csv` at the
/// end, and stops cleanly on SIGINT.
///
/// Shared by `evostream run` (a fresh run: snapshot 0 holds the root) and `evostream resume`
/// (continuing from the latest complete snapshot).
class RunSession {
 public:
  /// `scenario` with any command-line overrides applied; `dir` the run directory.
  RunSession(config::Scenario scenario, storage::RunDirectory dir, RunNetwork network = {},
             storage::FaultInjection faults = {});

  /// Starts a run from `root` (writes snapshot 0), then learns the stream. Returns the exit
  /// status.
  int start(std::vector<model::Component> root, RunEvents& events);
  /// Continues the run `loaded`. Returns the exit status.
  int resume(storage::LoadedRun loaded, RunEvents& events);
  /// Serves the run: it stays up once its stream is learned and grows while it runs. Each time
  /// `bell` rings, the tasks added to the run's scenario copy since are built and begun as
  /// `concurrent_tasks` allows, beside those still learning; each time the stream is learned,
  /// `results.json`, `accuracy_matrix.csv` and the report are written and `run_finished` is
  /// reported. It then ends only when stopped (SIGINT, or `StopSignal::raise_active`), with
  /// `kInterruptedStatus`. A task that cannot be built (its dataset is missing) is reported as
  /// an `error` event and the stream goes on without it. Null (the default): the run ends with
  /// its stream.
  void serve(std::shared_ptr<ArrivalBell> bell) { bell_ = std::move(bell); }

 private:
  int learn(std::vector<model::Component> root, const storage::LoadedRun* loaded,
            RunEvents& events);
  // A served stream as it stands now: `current` followed by the tasks added to the run's
  // scenario copy since, built; null when none were.
  std::shared_ptr<const std::vector<streams::TaskData>> grow(
      const std::vector<streams::TaskData>& current, RunEvents& events,
      std::atomic<size_t>& stream_size) const;

  config::Scenario scenario_;
  storage::RunDirectory dir_;
  RunNetwork network_;
  storage::FaultInjection faults_;
  std::shared_ptr<ArrivalBell> bell_;
};

}  // namespace evostream::app
