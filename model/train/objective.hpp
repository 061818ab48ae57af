#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/train/training_curve.hpp"

namespace evostream::model {

class ModelFunction;

/// Runs the model being trained, as it stands at this step and with gradients, on other
/// images (floats in [0, 1], N × C × H × W on the training device): their features, [N, dim].
using FeaturesOf = std::function<at::Tensor(const at::Tensor& images)>;

/// What one training step's loss is computed from.
struct LossInputs {
  /// The step's logits, [batch, classes], and its labels, [batch].
  const at::Tensor& logits;
  const at::Tensor& labels;
  /// The components that train, in path order, as they stand at this step (their tensors
  /// require gradients).
  const std::vector<Component>& training;
  /// The class token after the final norm, [batch, dim]: what the logits' head (and any other
  /// head) reads.
  const at::Tensor& features;
  /// The step's images (augmented as trained) on the training device; undefined when the
  /// frozen prefix's output came from the prefix cache instead.
  const at::Tensor& images;
  /// The step, from 0.
  int64_t step = 0;
  /// The model on other images (a replayed minibatch).
  const FeaturesOf& features_of;
  /// The forward function being trained (what it routed, for Mod-Squad's MI term); null when
  /// the caller has none.
  const ModelFunction* model = nullptr;
  /// Where the objective reports the parts of its loss (`report_term`), which the trainer
  /// averages over stretches of steps (`LossPoint::terms`); null when nobody asks.
  LossTerms* terms = nullptr;
};

/// Reports `value` (a scalar) as the step's term `name` when `in` asks for terms; the value is
/// read without its gradient and the loss is computed as without it.
void report_term(const LossInputs& in, const std::string& name, const at::Tensor& value);

/// What a candidate's training minimises: the loss of one step.
///
/// A strategy sets a candidate's objective (`Candidate::objective`; none is cross-entropy):
/// regularised objectives such as EWC's penalty or LwF's distillation derive from this. Every
/// trainer computes the loss through it; a remote trainer gets the objective by name
/// (`objective_named`), so only named, data-free objectives train remotely. A regularised
/// objective reports its parts (`report_term`): cross-entropy and its own term.
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
