#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "model/train/optimizer_options.hpp"
#include "model/train/train_recipe.hpp"

namespace evostream::model {

/// Applies one optimizer step to a set of parameters after clipping their gradients together.
class Optimizer {
 public:
  Optimizer(std::vector<at::Tensor> params, OptimizerOptions options);

  /// Clips the gradients by global norm and updates the parameters with learning rate `lr`.
  /// Returns the gradient norm before clipping; 0 when clipping is off (it is not computed).
  double step(double lr);
  /// Clears the gradients.
  void zero_grad();
  /// The momentum trace (SGD) or first moment (AdamW) of parameter `i`, live.
  const at::Tensor& momentum(size_t i) const { return first_.at(i); }
  /// Starts parameter `i` from the momentum trace `trace` (copied) instead of zeros; raises
  /// `std::invalid_argument` when the shapes differ.
  void set_momentum(size_t i, const at::Tensor& trace);
  /// AdamW's second moment of parameter `i`, live.
  const at::Tensor& second_moment(size_t i) const { return second_.at(i); }
  /// Steps parameter `i` has taken, those it was started from included.
  int64_t steps(size_t i) const { return steps_.at(i); }
  /// Starts AdamW's parameter `i` from moments `first` and `second` (copied) after `steps`
  /// steps; raises `std::invalid_argument` for SGD, a shape that differs or negative steps.
  void set_adam_state(size_t i, const at::Tensor& first, const at::Tensor& second, int64_t steps);

 private:
  std::vector<at::Tensor> params_;
  OptimizerOptions options_;
  std::vector<at::Tensor> first_;   // momentum trace / Adam first moment
  std::vector<at::Tensor> second_;  // Adam second moment
  std::vector<int64_t> steps_;      // per parameter: Adam's bias correction counts its own
};

/// The learning rate at `step` (0-based) of `total` steps for a schedule, with linear warmup
/// from lr/100 over `warmup_ratio × total` steps; `cycle` is the restart period of SGDR.
double scheduled_learning_rate(Schedule schedule, double lr, double warmup_ratio, int64_t step,
                               int64_t total, int64_t cycle);

}  // namespace evostream::model
