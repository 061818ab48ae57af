#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/arrival_bell.hpp"
#include "app/run_events.hpp"
#include "storage/fault_injection.hpp"

namespace evostream::app {

/// Options of `evostream run`.
struct RunOptions {
  /// The scenario file. Required.
  std::string scenario;
  /// `--set KEY=VALUE` overrides of its keys (`ScenarioParser::parse_file`); the run keeps the
  /// scenario with them applied. Default: none.
  std::vector<std::string> sets;
  /// The run directory. Default: `runs/<scenario name>`, or `runs/<scenario name>-<strategy>`
  /// when `--strategy` is given.
  std::string out;
  /// Overrides the scenario's strategy. Default: the scenario's.
  std::string strategy;
  /// Overrides the scenario's seed. Default: the scenario's.
  std::optional<uint64_t> seed;
  /// Imports the root from this component file instead of the scenario's root (e.g. the
  /// `root.h5` an earlier run of the same scenario wrote). Default: none.
  std::string root;
  /// Overrides the scenario's number of local trainers (`[trainers] count`); 0 is allowed with
  /// `wait_workers`. Default: the scenario's (-1).
  int64_t trainers = -1;
  /// Accept remote trainers on this port (0: any free one, printed). Default: none.
  std::optional<uint16_t> listen;
  /// Address to listen on. Default: "127.0.0.1" (loopback only).
  std::string bind = "127.0.0.1";
  /// Workers authenticate with this key and certificate (`evostream worker --credentials`).
  /// Default: `tls.pem` in the run directory, generated afresh by each run.
  std::string credentials;
  /// Listen on plain TCP instead of TLS: anyone who reaches the port can join the run, read
  /// the scenario and send it results. Default: false.
  bool insecure = false;
  /// Largest message taken from a worker, in MiB; a bigger one closes its connection.
  /// Default: 1024.
  int64_t max_message_mib = 1024;
  /// Remote trainers to wait for before the first task. Default: 0.
  int64_t wait_workers = 0;
  /// Seconds to wait for them, and for a new one when the last trainer went away. Default: 120.
  int64_t worker_timeout = 120;
  /// Ignore the tasks' arrival delays. Default: false.
  bool fast = false;
  /// Replaces a run already in `out` instead of refusing. Default: false.
  bool force = false;
  /// Crash tests: where the run kills itself. Default: nowhere.
  storage::FaultInjection faults;
  /// Serves the run (`RunSession::serve`): it stays up once its stream is learned, growing
  /// with the tasks this bell announces. Default: none (the run ends with its stream).
  std::shared_ptr<ArrivalBell> bell;
};

/// Where a run of scenario `name` goes without `--out`: `runs/<name>`, or `runs/<name>-<strategy>`
/// when a strategy was given on the command line.
std::string default_run_dir(const std::string& name, const std::string& strategy);

/// `evostream run SCENARIO`: learns the scenario's stream with its strategy and writes the run
/// directory: `scenario.toml` (a copy), `root.h5` (the root it trained), `snapshots/` and
/// `results.json`, `accuracy_matrix.csv` and `events.jsonl`.
///
/// Candidates train in the trainer pool; progress goes to `events`. Refuses a directory that
/// already holds a run unless `force` is set.
class RunCommand {
 public:
  explicit RunCommand(RunOptions options) : options_(std::move(options)) {}
  /// Runs the command, reporting its events to `events`; returns the exit status.
  int run(RunEvents& events) const;

 private:
  RunOptions options_;
};

}  // namespace evostream::app
