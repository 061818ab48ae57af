#pragma once

#include <ostream>
#include <string>

namespace evostream::app {

/// What `evostream extract` was asked.
struct ExtractOptions {
  /// The run directory (a run of strategy mod-squad).
  std::string run_dir;
  /// The task whose standalone model is written.
  std::string task;
  /// The component file to write: `NAME.h5`.
  std::string out;
  /// `--thresh T`: an expert is kept when its share of the task's selections, in percent,
  /// exceeds T / top_k (Mod-Squad's `--thresh`). 0 keeps every expert the task selected.
  /// Default: 3.
  double thresh = 3.0;
};

/// `evostream extract RUN_DIR --task NAME --out FILE.h5`: a standalone model of one Mod-Squad
/// task, with only the experts its routers use (`model::ExpertExtraction`), as a component
/// file (`docs/formats.md`).
///
/// It prints, per MoE block, how many experts were kept; then the sizes of the extracted
/// model, the task's whole path and the model serving all the run's tasks; then both models'
/// accuracy on the task's test split and on how many test images their predictions agree (all of
/// them when no test image routes to a dropped expert). Building the test split reads the task's
/// dataset.
class ExtractCommand {
 public:
  explicit ExtractCommand(ExtractOptions options) : options_(std::move(options)) {}
  /// Writes the file and reports on `out`; returns the exit status. Bad input raises with the
  /// option and what was expected.
  int run(std::ostream& out, std::ostream& err) const;

 private:
  ExtractOptions options_;
};

}  // namespace evostream::app
