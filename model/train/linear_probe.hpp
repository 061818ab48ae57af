#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "model/nn/model_function.hpp"
#include "streams/image_set.hpp"

namespace evostream::model {

/// A linear classifier fitted on frozen features: how much of a task a representation already
/// holds, whatever head it was trained with.
///
/// The features are standardised with the training features' mean and deviation, then a
/// softmax classifier (weights and bias from zero) takes `kSteps` full-batch Adam steps at
/// `kLearningRate` on the mean cross-entropy. Nothing is drawn at random, so a probe is a pure
/// function of its features.
class LinearProbe {
 public:
  /// Full-batch Adam steps. 300.
  static constexpr int64_t kSteps = 300;
  /// Adam's learning rate. 0.01.
  static constexpr double kLearningRate = 0.01;

  /// The features `f` gives the first `limit` images of `set` (all when 0), [n, dim], on the
  /// CPU, computed without autograd in chunks of 128.
  static at::Tensor features(const ModelFunction& f, const streams::ImageSet& set,
                             int64_t limit = 0);
  /// The first `limit` labels of `set` (all when 0), [n].
  static at::Tensor labels(const streams::ImageSet& set, int64_t limit = 0);

  /// Fits the probe on `train_features` [n, dim] with `train_labels` [n] (in [0, classes)) and
  /// returns its accuracy on `test_features` with `test_labels`. Raises `std::invalid_argument`
  /// when the shapes disagree or a set is empty.
  static double accuracy(const at::Tensor& train_features, const at::Tensor& train_labels,
                         int64_t classes, const at::Tensor& test_features,
                         const at::Tensor& test_labels);
};

}  // namespace evostream::model
