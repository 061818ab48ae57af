#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "model/train/objective.hpp"

namespace evostream::model {

/// Mod-Squad's loss for a task learned after others: cross-entropy plus `w_mi · (−MI(T; E))`
/// for every MoE block.
///
/// For one block, row t of the joint is task t's mean router probabilities P(e | t); with T
/// tasks, P(t, e) = P(e | t) / T (every task counts alike, as in Mod-Squad where each task
/// sees the same tokens). The earlier tasks' rows are their stored usage (`expert_usage`),
/// zero on the experts added after them; the task being learned contributes this step's
/// tokens, so only its row carries a gradient. Then, with Mod-Squad's epsilons,
/// `P(t) = Σ_e P(t,e) + 1e-4`, `P(e) = Σ_t P(t,e) + 1e-4` and
/// `−MI = −Σ P(t,e) · log(P(t,e) / (P(t) P(e)) + 1e-4)`. Maximising MI balances the experts'
/// load over the tasks while each task uses few of them: a new task is drawn to experts the
/// earlier ones use little, its own new experts among them. (With one task the term is zero;
/// the stored usage is what makes it act in a stream.)
///
/// It reports the terms `cross-entropy` and `mutual information` (MI(T; E) summed over the MoE
/// blocks, in nats, before `w_mi`; absent on the first task, which has no term).
class MutualInformationLoss : public Objective {
 public:
  /// `earlier[j]`: the earlier tasks' P(e | t) rows of the j-th MoE block, each [experts it
  /// knew].
  MutualInformationLoss(std::vector<std::vector<at::Tensor>> earlier, double w_mi);

  std::string name() const override { return "mod-squad-mi"; }
  at::Tensor loss(const LossInputs& in) const override;

  /// −MI(T; E) of the joint whose rows are `conditional[t]` = P(e | t), each padded with zeros
  /// to the widest.
  static at::Tensor negative_mi(const std::vector<at::Tensor>& conditional);

 private:
  std::vector<std::vector<at::Tensor>> earlier_;
  double w_mi_;
};

}  // namespace evostream::model
