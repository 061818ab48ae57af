#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/train/objective.hpp"

namespace evostream::model {

/// One past task's hold on one backbone component: the component as the task committed it
/// (the anchor θ*) and the Fisher information F of its tensors.
struct EwcAnchor {
  std::shared_ptr<const Component> anchor;
  std::shared_ptr<const Component> fisher;
};

/// EWC's objective: the task's cross-entropy plus λ Σ F (θ − θ*)² over every anchor. It
/// reports the terms `cross-entropy` and `EWC penalty` (Σ F (θ − θ*)², before λ).
///
/// A trained component is held by the anchors of the same kind and index (the backbone's
/// block k is anchored to each past task's block k); components no anchor holds (the new
/// head) are free.
class EwcPenalty : public Objective {
 public:
  EwcPenalty(std::vector<EwcAnchor> anchors, double lambda);
  std::string name() const override { return "ewc"; }
  at::Tensor loss(const LossInputs& in) const override;
  /// Σ F (θ − θ*)² of `training` over the anchors, without λ.
  at::Tensor penalty(const std::vector<Component>& training) const;

 private:
  std::vector<EwcAnchor> anchors_;
  double lambda_;
};

}  // namespace evostream::model
