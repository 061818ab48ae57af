#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/train/train_recipe.hpp"
#include "model/train/trainer.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// A simulated test evaluation: the accuracy and a hash standing for the predictions.
struct SimulatedEvaluation {
  double accuracy = 0.0;
  /// A hash of the task, the path's ids and every component's content: it changes exactly when
  /// real predictions could.
  std::string predictions_hash;
};

/// The cost and quality model of simulated trainers (`[trainers] kind = "simulated"`).
///
/// Simulated training touches no data and takes no time: it computes what a candidate would
/// reach and what it would cost, so the real orchestration can be driven through thousands of
/// tasks. Its seconds are virtual.
///
/// **Tasks.** Task t gets a unit vector z_t in 8 dimensions: its family's centre (drawn from the
/// run seed) plus `spread` × a normal draw / √8 from the seed and its name, normalised. Its
/// ceiling accuracy is drawn in [0.80, 0.98] and its best learning rate lr*_t in
/// [10^−2.5, 10^−1] (log-uniform). rel(a, b) = max(0, z_a · z_b); rel(t, root) =
/// `root_relatedness`; a freshly initialised component has relatedness 0.
///
/// **Quality.** Each layer of the path (the embedding group, block k) matches the task by m:
/// a component owned by another task (or the root) matches by rel(t, owner); one owned by t
/// (trained for it) by 1 − (1 − rel(t, source)) e^(−steps / adapt_steps), where source owns
/// the component it was cloned from. A trained adapter on block k closes half of what is left:
/// m ← 1 − (1 − m)(1 − ½(1 − e^(−steps / adapt_steps))). fit = Σ w·m / (w_embedding + depth ·
/// w_block), weights being parameter counts, so a path through fewer blocks fits less. Then
///
///     accuracy = 1/classes + (ceiling − 1/classes) · fit · h · l
///
/// with h = 1 − e^(−4 · steps / adapt_steps) for the head (0 when another task owns it) and
/// l = 0.7 + 0.3 exp(−(log10(lr / lr*))² / 0.5). Each validation adds normal noise
/// (`noise`) drawn from the training seed and the validation's number; the candidate's quality
/// is the best validation, as with real training.
///
/// **Cost.** FLOPs per image F of the path's forward pass (`FlopCount`), and T the share of
/// the path's parameters that train: one step costs batch × F × (1 + 2T) (the backward pass
/// of what trains costs twice its forward), one validation `validation_images` × F; seconds
/// are FLOPs / `flops_per_second`.
///
/// **Test evaluation.** The same accuracy at `nominal_steps` (the steps one candidate of the
/// strategy trains) plus normal noise drawn from a hash of the task and the path's contents.
/// Trained components are copies of their sources with seeded noise of 1e-3 added, so every
/// commit stores new bytes.
class SimulationModel {
 public:
  /// The model of `scenario`'s `[simulation]` table, seeded by its run seed.
  explicit SimulationModel(const config::Scenario& scenario);

  /// How related tasks `a` and `b` are, in [0, 1] (1 for a task with itself).
  double relatedness(const std::string& a, const std::string& b) const;
  /// The noiseless accuracy `path` (components in path order) reaches on `task` after `steps`.
  double accuracy(const std::vector<const Component*>& path, const TrainRecipe& recipe,
                  const streams::TaskData& task, double steps) const;
  /// Virtual seconds of training `path` for `settings.steps` steps with its validations.
  double cost(const std::vector<const Component*>& path, const TrainRecipe& recipe,
              const TrainSettings& settings) const;

  /// Simulates training a candidate (as `Trainer::train` would train it for real).
  TrainResult train(const std::vector<std::shared_ptr<const Component>>& path,
                    const TrainRecipe& recipe, const streams::TaskData& task, uint64_t seed,
                    const TrainSettings& settings, const TrainProgress& progress = {}) const;
  /// Simulates a test evaluation of a serving path.
  SimulatedEvaluation evaluate(const std::vector<std::shared_ptr<const Component>>& path,
                               const TrainRecipe& recipe, const streams::TaskData& task,
                               double nominal_steps) const;

  const config::SimulationSpec& spec() const { return spec_; }

 private:
  static constexpr size_t kDims = 8;
  struct Profile {
    std::array<double, kDims> z{};
    double ceiling = 0.9;
    double learning_rate = 0.01;
  };
  Profile profile(const std::string& task) const;
  // Virtual seconds of the training steps and of the validations.
  struct Cost {
    double train = 0.0;
    double validation = 0.0;
  };
  Cost costs(const std::vector<const Component*>& path, const TrainRecipe& recipe,
             const TrainSettings& settings) const;

  config::SimulationSpec spec_;
  uint64_t seed_ = 1;
  int64_t depth_ = 1;
  int64_t image_size_ = 28;
  /// The family of every task of the scenario; other names get one from their own hash.
  std::map<std::string, int64_t> family_;
  std::vector<std::array<double, kDims>> centres_;
};

}  // namespace evostream::model
