#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// What one training step's loss is computed from.
struct LossInputs {
  /// The step's logits, [batch, classes], and its labels, [batch].
  const at::Tensor& logits;
  const at::Tensor& labels;
  /// The components that train, in path order, as they stand at this step (their tensors
  /// require gradients).
  const std::vector<Component>& training;
};

/// What a candidate's training minimises: the loss of one step.
///
/// A strategy sets a candidate's objective (`Candidate::objective`; none is cross-entropy):
/// regularised objectives such as EWC's penalty or LwF's distillation derive from this. Every
/// trainer computes the loss through it; a remote trainer gets the objective by name
/// (`objective_named`), so only named, data-free objectives train remotely.
class Objective {
 public:
  virtual ~Objective() = default;
  /// The name jobs carry, e.g. "cross-entropy".
  virtual std::string name() const = 0;
  /// The step's loss, a scalar whose gradient the optimizer follows.
  virtual at::Tensor loss(const LossInputs& in) const = 0;
};

/// The mean cross-entropy of the logits against the labels.
class CrossEntropy : public Objective {
 public:
  std::string name() const override { return "cross-entropy"; }
  at::Tensor loss(const LossInputs& in) const override;
};

/// The objective `name` names ("cross-entropy"); raises `std::invalid_argument` listing the
/// names for any other.
std::shared_ptr<const Objective> objective_named(const std::string& name);

}  // namespace evostream::model
