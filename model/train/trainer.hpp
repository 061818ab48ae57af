#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/nn/model_family.hpp"
#include "model/train/objective.hpp"
#include "model/train/optimizer.hpp"
#include "model/train/prefix_cache.hpp"
#include "model/train/train_recipe.hpp"
#include "model/train/training_curve.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// Budget and machine settings of a training run (the same for every candidate of a strategy).
struct TrainSettings {
  /// Training steps. Default: 200.
  int64_t steps = 200;
  /// Batch size. Default: 64.
  int64_t batch_size = 64;
  /// Validate every this many steps (and after the last). Default: 50.
  int64_t validation_interval = 50;
  /// What the paths compute (the scenario's `[root.architecture] family`). Default: the ViT
  /// with 4 attention heads.
  std::shared_ptr<const ModelFamily> family = vit_family();
  /// Torch intra-op threads; one was fastest on 2 cores (BLAS threads on its own). Default: 1.
  int64_t threads = 1;
  /// Where training runs: "cpu" or "cuda:K" (needs a LibTorch built with CUDA; the fused CPU
  /// kernels then give way to ATen's generic operations). Default: "cpu".
  std::string device = "cpu";
  /// Validation images scored per validation, at most (the reference caps it too). Default: 10000.
  int64_t max_validation = 10000;
  /// Batch size of validation. Default: 500.
  int64_t eval_batch = 500;
  /// The optimizer; its momentum and nesterov fields are overridden by the path's
  /// recipe when it is SGD. Default: SGD.
  OptimizerOptions optimizer;
  /// Steps of the learning-rate schedule already behind this training: it trains the schedule's
  /// steps [schedule_offset, schedule_offset + steps). Default: 0.
  int64_t schedule_offset = 0;
  /// Length of that schedule; 0 is `steps` (a schedule of its own). Default: 0.
  int64_t schedule_steps = 0;
};

/// Sets LibTorch's and the BLAS's thread counts to `threads` for the calling thread's training
/// (`TrainSettings::threads`), once per thread and count: a trainer thread does it with its
/// first job, not at every candidate.
void use_threads(int64_t threads);

/// What training a candidate produced.
struct TrainResult {
  /// Best validation accuracy: the candidate's quality.
  double quality = 0.0;
  /// The step after which the best validation was measured.
  int64_t best_step = 0;
  /// The trainable components with the tensors of the best validation, in path order.
  std::vector<Component> trained;
  /// Every validation, in order.
  std::vector<ValidationPoint> validations;
  /// The loss over stretches of the steps, with its terms (`TrainingCurve::losses`).
  std::vector<LossPoint> losses;
  /// Wall seconds: all, training steps only, validations only.
  double seconds = 0.0;
  double train_seconds = 0.0;
  double validation_seconds = 0.0;
  /// Training images processed (steps × batch size).
  int64_t images = 0;
};

/// Called after each validation: (step, total steps, accuracy).
using TrainProgress = std::function<void(int64_t, int64_t, double)>;

/// Trains the unfrozen components of a candidate path on a task.
///
/// Frozen components are read, never written: the trainer works on deep copies of the unfrozen
/// ones. The frozen prefix of the path (embedding and leading blocks that nothing trains) runs
/// without autograd. Every random draw (batch order, augmentation) comes from `seed`, so a
/// candidate trains to the same bytes every time.
///
/// With a `PrefixCache`, a candidate whose input is not randomly augmented reads the output of
/// its frozen prefix from the cache (computed once per task, split and prefix) for training
/// batches and validation alike; only the trained suffix runs per step.
class Trainer {
 public:
  explicit Trainer(TrainSettings settings, std::shared_ptr<PrefixCache> cache = nullptr);

  /// Trains `path` (components in path order; the unfrozen ones train) on `task.train`,
  /// validating on `task.validation`, and returns the best validation's tensors.
  /// Each step minimises `objective`'s loss (cross-entropy when null).
  TrainResult train(const std::vector<std::shared_ptr<const Component>>& path,
                    const TrainRecipe& recipe, const streams::TaskData& task, uint64_t seed,
                    const TrainProgress& progress = {}, const Objective* objective = nullptr) const;

  /// FLOPs that training `path` on `task` would take here, cached prefix or not as `train`
  /// would run it; what the trainer pool orders a batch's jobs by (longest first).
  ///
  /// Counts `steps` (0: the settings' steps) batches through what runs per step (forward and
  /// twice that backward from the first trained block on, plus the frozen prefix's forward when
  /// it is not cached) and every validation's forward pass.
  double estimated_flops(const std::vector<const Component*>& path, const TrainRecipe& recipe,
                         const streams::TaskData& task, int64_t steps = 0) const;

  const TrainSettings& settings() const { return settings_; }

 private:
  TrainSettings settings_;
  std::shared_ptr<PrefixCache> cache_;
};

}  // namespace evostream::model
