#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "report/confusion_chart.hpp"

namespace evostream::app {

/// `evostream report RUN_DIR [--with RUN_DIR...] [--confusion TASK...] [--dot]`: writes
/// `RUN_DIR/report.html`, a self-contained page of plots (`report::ReportPage`), or prints the
/// model graph in Graphviz's DOT language.
class ReportCommand {
 public:
  /// `others`: run directories whose strategies are shown beside the run's; `confusions`:
  /// tasks whose confusion matrix the page shows (none by default).
  ReportCommand(std::string run_dir, std::vector<std::string> others, bool dot,
                std::vector<std::string> confusions = {})
      : run_dir_(std::move(run_dir)),
        others_(std::move(others)),
        dot_(dot),
        confusions_(std::move(confusions)) {}
  /// Runs the command; returns the exit status. Raises `StorageError` naming a run directory
  /// without a readable `results.json`, and `std::invalid_argument` for a task to draw the
  /// confusion matrix of that the run has not learned.
  int run(std::ostream& out, std::ostream& err) const;

  /// Writes `run_dir/report.html` for the results in `run_dir`, with the runs in `others`
  /// beside them and the confusion matrices `confusions`, and the run's TensorBoard event file
  /// (`write_tensorboard`); returns the report's path.
  static std::string write(const std::string& run_dir, const std::vector<std::string>& others = {},
                           const std::vector<report::Confusion>& confusions = {});

  /// Task `task`'s test split (built from its dataset) classified by its committed path in the
  /// run in `run_dir`, counted against the labels; snapshot warnings go to `err`.
  static report::Confusion confusion(const std::string& run_dir, const std::string& task,
                                     std::ostream& err);

 private:
  std::string run_dir_;
  std::vector<std::string> others_;
  bool dot_;
  std::vector<std::string> confusions_;
};

}  // namespace evostream::app
