#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/strategies/joint/joint_loss.hpp"
#include "model/train/objective.hpp"

namespace evostream::model {

/// Mod-Squad's loss with every task of the stream training at once (`mode = "joint"`): each
/// example's cross-entropy over its own task's classes (`JointLoss`) plus `w_mi · (−MI(T; E))`
/// for every MoE block of the joint model.
///
/// The joint P(t, e) of a block comes from this step's tokens of every task, as in Mod-Squad:
/// row t is task t's mean router probabilities over its tokens in the step, and the tasks count
/// alike (`MutualInformationLoss::negative_mi`); a task with no example in the step's minibatch
/// is left out. Reports the terms `cross-entropy` and `mutual information` (MI(T; E) summed
/// over the MoE blocks, in nats, before `w_mi`).
class JointModSquadLoss : public Objective {
 public:
  /// `offsets`: where each task's classes start in the joined head, and their total at the end
  /// (`JointData::offsets`).
  JointModSquadLoss(const std::vector<int64_t>& offsets, double w_mi);

  std::string name() const override { return "mod-squad-joint"; }
  at::Tensor loss(const LossInputs& in) const override;

 private:
  JointLoss cross_entropy_;
  double w_mi_;
};

}  // namespace evostream::model
