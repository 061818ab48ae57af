#pragma once

#include <ostream>
#include <string>

namespace evostream::app {

/// `evostream inspect RUN_DIR [--hash]`: prints a run's tasks, paths, parameters and
/// accuracies from its snapshots, and a `state-hash: <hex>` line (only that line with `--hash`).
///
/// Reads only: a corrupt snapshot is reported, not set aside.
class InspectCommand {
 public:
  InspectCommand(std::string run_dir, bool hash_only)
      : run_dir_(std::move(run_dir)), hash_only_(hash_only) {}
  /// Runs the command, printing to `out` and warnings to `err`; returns the exit status.
  int run(std::ostream& out, std::ostream& err) const;

 private:
  std::string run_dir_;
  bool hash_only_;
};

}  // namespace evostream::app
