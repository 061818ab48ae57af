#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "app/progress_view.hpp"
#include "app/run_command.hpp"
#include "gateway/http_server.hpp"

namespace evostream::app {

/// Options of `evostream serve`.
struct ServeOptions {
  /// A run directory to continue and serve, or a scenario file to start a run from (with
  /// `run`'s options). Required.
  std::string target;
  /// For a scenario: what `evostream run` takes (`out`, `strategy`, `seed`, `root`, `sets`,
  /// `force`, `fast`).
  RunOptions run;
  /// Address to listen on. Default: "127.0.0.1" (loopback only).
  std::string bind = "127.0.0.1";
  /// TCP port (0: a free one, printed). Default: 8787.
  uint16_t port = 8787;
  /// What one client may take (`gateway::HttpLimits`' defaults).
  gateway::HttpLimits limits;
};

/// `evostream serve RUN_DIR_OR_SCENARIO`: learns the run's stream and stays up after its tasks
/// are learned, taking new tasks over HTTP (`GatewayRoutes`) until SIGINT or `POST /shutdown`.
///
/// One run session learns the stream and stays up (`RunSession::serve`): a task posted is kept
/// in the run's scenario copy before its 202, then handed to the run's gateway actor, which
/// builds it and grows the stream in flight; it begins as soon as `concurrent_tasks` allows,
/// beside tasks still learning, and the run ends in the state of a run that had every task
/// from the start (as `evostream resume RUN_DIR --tasks MORE.toml` does). Remote trainers
/// (`--listen`) and simulated streams are refused. Writes need the bearer token the command prints
/// and writes to `RUN_DIR/token` (mode 0600), made afresh at every start.
class ServeCommand {
 public:
  explicit ServeCommand(ServeOptions options) : options_(std::move(options)) {}
  /// Runs the command: events go to `view`, the address and token to `out`; returns the exit
  /// status (0 after a shutdown, 130 after SIGINT, 1 when the run failed).
  int run(ProgressView& view, std::ostream& out, std::ostream& err) const;

 private:
  ServeOptions options_;
};

}  // namespace evostream::app
