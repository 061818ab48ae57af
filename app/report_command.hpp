#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace evostream::app {

/// `evostream report RUN_DIR [--with RUN_DIR...] [--dot]`: writes `RUN_DIR/report.html`, a
/// self-contained page of plots (`report::ReportPage`), or prints the model graph in Graphviz's DOT
/// language.
class ReportCommand {
 public:
  /// `others`: run directories whose strategies are shown beside the run's.
  ReportCommand(std::string run_dir, std::vector<std::string> others, bool dot)
      : run_dir_(std::move(run_dir)), others_(std::move(others)), dot_(dot) {}
  /// Runs the command; returns the exit status. Raises `StorageError` naming a run directory
  /// without a readable `results.json`.
  int run(std::ostream& out) const;

  /// Writes `run_dir/report.html` for the results in `run_dir`, with the runs in `others`
  /// beside them; returns its path.
  static std::string write(const std::string& run_dir, const std::vector<std::string>& others = {});

 private:
  std::string run_dir_;
  std::vector<std::string> others_;
  bool dot_;
};

}  // namespace evostream::app
