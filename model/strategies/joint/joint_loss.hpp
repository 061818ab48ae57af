#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "model/train/objective.hpp"

namespace evostream::model {

/// Joint training's objective with task labels: the cross-entropy of each example over its own
/// task's classes only (the slice of the joined head that is that task's head), as if every
/// task had its own head. The logits outside the slice are masked out, so they get no gradient
/// from it. Reports the term `cross-entropy`.
class JointLoss : public Objective {
 public:
  /// `offsets`: where each task's classes start in the joined head, and their total at the end
  /// (as `JointData::offsets`). Raises `std::invalid_argument` unless they increase from 0.
  explicit JointLoss(const std::vector<int64_t>& offsets);
  std::string name() const override { return "joint"; }
  at::Tensor loss(const LossInputs& in) const override;

 private:
  at::Tensor task_of_label_;  // [classes]: the task each label belongs to
  at::Tensor masks_;          // [tasks, classes]: 0 on the task's slice, a large negative elsewhere
};

}  // namespace evostream::model
