#pragma once

#include <ostream>
#include <string>

#include "app/run_events.hpp"
#include "storage/fault_injection.hpp"

namespace evostream::app {

/// `evostream resume RUN_DIR`: continues a run from its latest complete snapshot.
///
/// A snapshot that fails its checksum or was cut short is reported by file name and set aside;
/// the run continues from the one before it and ends in the same state as a run that was never
/// interrupted. Refuses a directory that is not a run, and a run that is already complete.
class ResumeCommand {
 public:
  /// `faults`: crash tests' deliberate crashes (none by default).
  explicit ResumeCommand(std::string run_dir, storage::FaultInjection faults = {})
      : run_dir_(std::move(run_dir)), faults_(faults) {}
  /// Runs the command, reporting events to `events` (appended to the run's `events.jsonl`) and
  /// warnings to `err`; returns the exit status.
  int run(RunEvents& events, std::ostream& err) const;

 private:
  std::string run_dir_;
  storage::FaultInjection faults_;
};

}  // namespace evostream::app
