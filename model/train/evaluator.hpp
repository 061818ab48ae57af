#pragma once

#include <cstdint>
#include <vector>

#include "model/nn/model_function.hpp"
#include "streams/image_set.hpp"

namespace evostream::model {

/// The result of scoring a path on a split.
struct Evaluation {
  /// Share of correct predictions.
  double accuracy = 0.0;
  /// The predicted class of each scored image, in order.
  std::vector<int64_t> predictions;
};

/// Batched inference of a path on an image set, without autograd.
class Evaluator {
 public:
  /// Scores the first `limit` images of `set` (all when `limit` is 0) in batches of `batch`.
  /// `label_task`, when defined, gives the task of each label (`task_of_label`) of a set that
  /// unites several tasks: each image goes through the function as an example of its task
  /// (`ModelFunction::task_forward`) and is scored on its own task's classes only, as the
  /// tasks are tested.
  static Evaluation evaluate(const ModelFunction& f, const streams::ImageSet& set,
                             int64_t batch = 500, int64_t limit = 0,
                             const at::Tensor& label_task = {});
  /// Scores from the frozen prefix's output: `prefixed` holds it for every image of `set` (as
  /// a `PrefixCache` entry does); only the rest of the path runs.
  static Evaluation evaluate_prefix(const ModelFunction& f, const at::Tensor& prefixed,
                                    const streams::ImageSet& set, int64_t batch = 500,
                                    int64_t limit = 0, const at::Tensor& label_task = {});
};

}  // namespace evostream::model
