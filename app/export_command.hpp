#pragma once

#include <ostream>
#include <string>

namespace evostream::app {

/// What `evostream export` was asked.
struct ExportOptions {
  /// The run directory.
  std::string run_dir;
  /// The task whose committed path is written (`root`: the root model).
  std::string task;
  /// The file: `NAME.pt` (a PyTorch state dict in timm's names, `model::TimmNames`) or
  /// `NAME.h5` (a component file of the path's components).
  std::string out;
};

/// `evostream export RUN_DIR --task NAME --out FILE`: a task's committed path as a file other
/// tools read. A `.pt` file loads into `bench/peer/vit_peer.py`, or into timm's
/// `VisionTransformer` of the printed size; a `.h5` file holds the path's components and the
/// architecture as `docs/formats.md` describes component files.
class ExportCommand {
 public:
  explicit ExportCommand(ExportOptions options) : options_(std::move(options)) {}
  /// Writes the file and says what it holds on `out`; returns the exit status.
  int run(std::ostream& out, std::ostream& err) const;

 private:
  ExportOptions options_;
};

}  // namespace evostream::app
