#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// A mixture-of-experts MLP routed by one task's router (Mod-Squad's `TaskMoE`).
///
/// Each token's router probabilities are `p = softmax(W_router x) + 1e-4`; the token uses its
/// top k experts (ties go to the lower expert: a stable sort, so every build picks the same) and
/// `y = Σ_{e ∈ top k} p_e · expert_e(x)` with the gates not renormalised. An expert is
/// `fc2(gelu(fc1 x))` (tanh GELU, as the dense blocks). Tokens are grouped by expert: one
/// gather of every (token, choice) row in expert order, one pair of matrix products per expert
/// that has tokens, and one scatter-add back, never a loop over tokens. A router that holds
/// `kept` (an extracted model's, `ExpertExtraction`) has a row per expert of the whole model:
/// the softmax runs over all of them and the experts here are the kept rows, so their gates are
/// the whole model's and a token's top k is taken among them.
class ExpertMixture {
 public:
  /// What one mixture computed.
  struct Output {
    /// The mixture's output, [tokens, dim].
    at::Tensor y;
    /// The probabilities summed over the tokens, [experts] (differentiable).
    at::Tensor probability_sum;
    /// How many tokens chose each expert, [experts] (int64).
    at::Tensor selections;
    /// With tokens of several tasks: each task's probabilities summed over its tokens, [tasks,
    /// experts] (differentiable), and its tokens, [tasks] (int64); undefined otherwise.
    at::Tensor task_probability_sum;
    at::Tensor task_tokens;
  };

  /// The mixture of the experts of `groups` (in order) under `router` on `x`: [tokens, dim].
  /// `token_tasks`, when defined, holds each token's task ([tokens] int64 in [0, `tasks`)) for
  /// a joint model's router, whose rows are the tasks' routers one after another: a token is
  /// routed by its own task's rows.
  static Output apply(const at::Tensor& x, const std::vector<const Component*>& groups,
                      const Component& router, const at::Tensor& token_tasks = {},
                      int64_t tasks = 1);
  /// The experts' tensors of `groups` stacked in order: fc1.weight [E, h, d], fc1.bias [E, h],
  /// fc2.weight [E, d, h], fc2.bias [E, d] (the group's own tensors when there is one group).
  static std::vector<at::Tensor> stacked(const std::vector<const Component*>& groups);
};

}  // namespace evostream::model
