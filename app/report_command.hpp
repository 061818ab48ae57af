#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "model/run/forward_transfer.hpp"
#include "report/confusion_chart.hpp"

namespace evostream::app {

/// What `evostream report` is asked for.
struct ReportOptions {
  /// The run directory.
  std::string run_dir;
  /// Run directories whose strategies are shown beside the run's (`--with`). Default: none.
  std::vector<std::string> others;
  /// Print the model graph in DOT instead of writing the page (`--dot`). Default: false.
  bool dot = false;
  /// Tasks whose confusion matrix the page shows (`--confusion`). Default: none.
  std::vector<std::string> confusions;
  /// Measure forward transfer with linear probes and show it (`--transfer`). Default: false.
  bool transfer = false;
};

/// `evostream report RUN_DIR [--with RUN_DIR...] [--confusion TASK...] [--transfer] [--dot]`:
/// writes `RUN_DIR/report.html`, a self-contained page of plots (`report::ReportPage`), or
/// prints the model graph in Graphviz's DOT language.
class ReportCommand {
 public:
  explicit ReportCommand(ReportOptions options) : options_(std::move(options)) {}
  /// Runs the command; returns the exit status. Raises `StorageError` naming a run directory
  /// without a readable `results.json`, and `std::invalid_argument` for a task to draw the
  /// confusion matrix of that the run has not learned.
  int run(std::ostream& out, std::ostream& err) const;

  /// Writes `run_dir/report.html` for the results in `run_dir`, with the runs in `others`
  /// beside them, the confusion matrices `confusions` and the forward transfer `transfer`, and
  /// the run's TensorBoard event file (`write_tensorboard`); returns the report's path.
  static std::string write(const std::string& run_dir, const std::vector<std::string>& others = {},
                           const std::vector<report::Confusion>& confusions = {},
                           const std::vector<model::TaskTransfer>& transfer = {});

  /// Task `task`'s test split (built from its dataset) classified by its committed path in the
  /// run in `run_dir`, counted against the labels; snapshot warnings go to `err`.
  static report::Confusion confusion(const std::string& run_dir, const std::string& task,
                                     std::ostream& err);

  /// The forward transfer to every task of the run in `run_dir` but the first committed
  /// (`model::ForwardTransfer`), in the order of their first commits: each task's data is
  /// built from its dataset, and its probes fit on the path committed just before its first
  /// commit and on the root. One progress line per task goes to `err`. Raises
  /// `std::invalid_argument` for a run whose trainers were simulated (it has no model).
  static std::vector<model::TaskTransfer> transfer(const std::string& run_dir, std::ostream& err);

 private:
  ReportOptions options_;
};

}  // namespace evostream::app
