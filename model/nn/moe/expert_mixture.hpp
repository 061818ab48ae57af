#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "model/core/component.hpp"
#include "model/nn/moe/expert_routing.hpp"

namespace evostream::model {

/// A mixture-of-experts MLP routed by one task's router (Mod-Squad's `TaskMoE`).
///
/// `y = Σ_{e ∈ top k} p_e · expert_e(x)` over each token's top k experts (`ExpertRouting`), an
/// expert being `fc2(gelu(fc1 x))` (tanh GELU, as the dense blocks): one gather of every
/// (token, choice) row in expert order, one pair of matrix products per expert that has
/// tokens, and one scatter-add back.
class ExpertMixture {
 public:
  using Output = MixtureOutput;

  /// The mixture of the experts of `groups` (in order) under `router` on `x`: [tokens, dim].
  /// `token_tasks` and `tasks`: a joint model's tokens' tasks (`ExpertRouting`).
  static Output apply(const at::Tensor& x, const std::vector<const Component*>& groups,
                      const Component& router, const at::Tensor& token_tasks = {},
                      int64_t tasks = 1);
  /// The experts' tensors of `groups` stacked in order, in the first group's tensor order: for
  /// MLP experts fc1.weight [E, h, d], fc1.bias [E, h], fc2.weight [E, d, h], fc2.bias [E, d];
  /// for attention experts q.weight [E, h, d], o.weight [E, d, h] (the group's own tensors when
  /// there is one group).
  static std::vector<at::Tensor> stacked(const std::vector<const Component*>& groups);
};

}  // namespace evostream::model
