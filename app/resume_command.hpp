#pragma once

#include <ostream>
#include <string>

#include "app/run_events.hpp"

namespace evostream::app {

/// `evostream resume RUN_DIR`: continues a run from its latest complete snapshot.
///
/// A snapshot that fails its checksum or was cut short is reported by file name and set aside;
/// the run continues from the one before it and ends in the same state as a run that was never
/// interrupted. Refuses a directory that is not a run, and a run that is already complete.
class ResumeCommand {
 public:
  explicit ResumeCommand(std::string run_dir) : run_dir_(std::move(run_dir)) {}
  /// Runs the command, reporting events to `events` (appended to the run's `events.jsonl`) and
  /// warnings to `err`; returns the exit status.
  int run(RunEvents& events, std::ostream& err) const;

 private:
  std::string run_dir_;
};

}  // namespace evostream::app
