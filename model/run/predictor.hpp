#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/parameter_store.hpp"
#include "model/core/path.hpp"
#include "model/nn/model_family.hpp"
#include "model/nn/model_function.hpp"
#include "streams/image_set.hpp"

namespace evostream::model {

/// One task's committed path, bound once, classifying images in batches without autograd: what
/// `evostream predict` runs, without rebuilding the run.
///
/// Images are the task's inputs as its dataset holds them: `classify` applies the task's input
/// transforms (resize, rotation, pixel permutation, inversion), as its splits had them, so a
/// test image of the task gets the class the run's evaluation gave it.
class Predictor {
 public:
  /// One image's class and the probability (softmax of the logits) the path gives it.
  struct Prediction {
    int64_t label = 0;
    double probability = 0.0;
    /// The path's logits for the image, one per class.
    std::vector<float> logits;
  };

  /// Binds `path` (its components from `store`) in the family of `architecture`; `task` is the
  /// path's task. Raises `std::invalid_argument` when the components do not form a path of the
  /// family.
  Predictor(const ParameterStore& store, const Path& path, config::TaskSpec task,
            const config::ArchitectureSpec& architecture);

  /// Classifies `images` (channels as the model takes; any square size) in batches of `batch`.
  /// Raises `std::invalid_argument` for images of another channel count.
  std::vector<Prediction> classify(streams::ImageSet images, int64_t batch = 256) const;

  /// Number of classes the task's head scores.
  int64_t classes() const { return function_->classes(); }
  /// Input channels the model takes.
  int64_t channels() const { return channels_; }
  /// The side image files are decoded to for this task: the task's `image_size` when set, else
  /// the path's, else the architecture's.
  int64_t side() const { return side_; }

 private:
  std::vector<ParameterStore::Handle> handles_;
  std::unique_ptr<ModelFunction> function_;
  config::TaskSpec task_;
  int64_t channels_ = 1;
  int64_t side_ = 0;
};

}  // namespace evostream::model
