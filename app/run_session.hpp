#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "actors/tls_credentials.hpp"
#include "app/run_events.hpp"
#include "model/core/component.hpp"
#include "storage/fault_injection.hpp"
#include "storage/run_directory.hpp"
#include "streams/scenario.hpp"

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
  RunSession(streams::Scenario scenario, storage::RunDirectory dir, RunNetwork network = {},
             storage::FaultInjection faults = {});

  /// Starts a run from `root` (writes snapshot 0), then learns the stream. Returns the exit
  /// status.
  int start(std::vector<model::Component> root, RunEvents& events);
  /// Continues the run `loaded`. Returns the exit status.
  int resume(storage::LoadedRun loaded, RunEvents& events);

 private:
  int learn(std::vector<model::Component> root, const storage::LoadedRun* loaded,
            RunEvents& events);

  streams::Scenario scenario_;
  storage::RunDirectory dir_;
  RunNetwork network_;
  storage::FaultInjection faults_;
};

}  // namespace evostream::app
