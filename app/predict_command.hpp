#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace evostream::app {

/// What `evostream predict` was asked.
struct PredictOptions {
  /// The run directory.
  std::string run_dir;
  /// The task whose committed path classifies the images.
  std::string task;
  /// Image files: IDX image files (plain or gzip'd), `.npy` arrays (uint8 or float32 in [0, 1];
  /// `.npy.gz` too), or PNG and JPEG files (decoded to the model's channels and the task's side).
  std::vector<std::string> inputs;
  /// `--out FILE`: write the CSV there instead of to stdout. Default: stdout.
  std::string out;
  /// `--batch N`: images per forward pass. Default: 256.
  int64_t batch = 256;
  /// `--logits`: add a column per class with the path's logit. Default: off.
  bool logits = false;
};

/// `evostream predict RUN_DIR --task NAME IMAGES...`: the class of every image from the task's
/// committed path, read from the run's snapshots (the run is not rebuilt, its datasets are not
/// read).
///
/// Prints CSV (`file,index,label,class,probability`, then `logit_0`... with `--logits`: `index`
/// is the image's position in its file, `class` the task's name for the label) and a summary
/// line on `err`. `--task root` classifies with the root model and its pretraining head. The images
/// are the task's inputs as its dataset holds them; the task's transforms are applied (see
/// `model::Predictor`).
class PredictCommand {
 public:
  explicit PredictCommand(PredictOptions options) : options_(std::move(options)) {}
  /// Runs the command; returns the exit status. Bad input raises with the file and what was
  /// expected.
  int run(std::ostream& out, std::ostream& err) const;

 private:
  PredictOptions options_;
};

}  // namespace evostream::app
