#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "app/arrival_bell.hpp"
#include "app/run_events.hpp"
#include "storage/fault_injection.hpp"

namespace evostream::app {

/// `evostream resume RUN_DIR [--tasks MORE.toml]`: continues a run from its latest complete
/// snapshot, first growing its stream by the tasks of `MORE.toml` when given.
///
/// A snapshot that fails its checksum or was cut short is reported by file name and set aside;
/// the run continues from the one before it and ends in the same state as a run that was never
/// interrupted. A grown run keeps the tasks in its scenario copy (written before any is
/// learned) and learns them on the same store: run(A) then resume with B ends in the state of
/// run(A + B). Refuses a directory that is not a run, and a run that is already complete when
/// no tasks are added.
class ResumeCommand {
 public:
  /// `more`: a file of `[[tasks]]` (and `[datasets.NAME]`) to add; empty for none. `faults`:
  /// crash tests' deliberate crashes (none by default).
  explicit ResumeCommand(std::string run_dir, std::string more = "",
                         storage::FaultInjection faults = {})
      : run_dir_(std::move(run_dir)), more_(std::move(more)), faults_(faults) {}
  /// Runs the command, reporting events to `events` (appended to the run's `events.jsonl`) and
  /// warnings to `err`; returns the exit status.
  int run(RunEvents& events, std::ostream& err) const;
  /// Serves the run (`RunSession::serve`): it stays up, growing with the tasks `bell`
  /// announces, and a complete run is taken up too. Default: not served.
  void serve(std::shared_ptr<ArrivalBell> bell) { bell_ = std::move(bell); }

 private:
  std::shared_ptr<ArrivalBell> bell_;
  std::string run_dir_;
  std::string more_;
  storage::FaultInjection faults_;
};

}  // namespace evostream::app
