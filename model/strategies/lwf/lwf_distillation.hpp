#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/nn/vit/vit_function.hpp"
#include "model/train/objective.hpp"

namespace evostream::model {

/// LwF's objective: the task's cross-entropy plus α Σ_k KL(q_k ‖ p_k) over the old tasks'
/// heads k, where q_k is the previous model's softened output (softmax of logits / T) and p_k
/// the model's being trained, both on the step's images (Li & Hoiem; Avalanche's LwF, KL
/// averaged over the batch). It reports the terms `cross-entropy` and `distillation` (the sum
/// of KLs, before α).
///
/// The previous model is the backbone the last commit left; its features are computed without
/// gradients. The old heads are frozen, so the distillation moves only the backbone.
class LwfDistillation : public Objective {
 public:
  /// `previous`: the previous backbone followed by any head, in path order; `heads`: the old
  /// tasks' heads; `attention_heads` and `image_size` as the path trains.
  LwfDistillation(std::vector<std::shared_ptr<const Component>> previous,
                  std::vector<std::shared_ptr<const Component>> heads, double alpha,
                  double temperature, int64_t attention_heads, int64_t image_size);
  std::string name() const override { return "lwf"; }
  at::Tensor loss(const LossInputs& in) const override;
  /// Σ_k KL(q_k ‖ p_k) for features `current` (with gradients) and the step's `images`.
  at::Tensor distillation(const at::Tensor& current, const at::Tensor& images) const;

 private:
  std::vector<std::shared_ptr<const Component>> previous_;
  std::vector<std::shared_ptr<const Component>> heads_;
  double alpha_;
  double temperature_;
  std::unique_ptr<VitFunction> f_;
};

}  // namespace evostream::model
