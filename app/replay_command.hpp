#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "app/run_events.hpp"
#include "model/run/stream_runner.hpp"

namespace evostream::app {

/// `evostream replay RUN_DIR [--out DIR]`: runs the recorded scenario again, with the run's
/// strategy, seed and root (from snapshot 0), and checks that it ends in the recorded state
/// hash; when it does not, prints the first task visit where the two runs differ.
///
/// The replay goes to `DIR` (default `RUN_DIR/replay`, replaced if present) and ignores arrival
/// delays. Exit status 0 when the hashes agree, 1 when they differ.
class ReplayCommand {
 public:
  ReplayCommand(std::string run_dir, std::string out)
      : run_dir_(std::move(run_dir)), out_(std::move(out)) {}
  /// Runs the command, reporting the replay's progress to `events` and the verdict to `out`.
  int run(RunEvents& events, std::ostream& out) const;

  /// Where `replayed` first differs from `recorded`, as one line; empty when every recorded
  /// result and the state hash agree.
  static std::optional<std::string> divergence(const model::RunResults& recorded,
                                               const model::RunResults& replayed);

 private:
  std::string run_dir_;
  std::string out_;
};

}  // namespace evostream::app
