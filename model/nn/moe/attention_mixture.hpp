#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "model/core/component.hpp"
#include "model/nn/moe/expert_routing.hpp"

namespace evostream::model {

/// A mixture of attention heads routed by one task's router (Mod-Squad's `MoETaskAttention`).
///
/// Expert e holds a query projection `W_q^e` [h, d] and an output projection `W_o^e` [d, h]
/// (no biases); the keys and values are shared, `[k; v] = W_kv x + b_kv` ([2h, d] and [2h],
/// on the block). Each token uses its top k experts (`ExpertRouting`, k the router's `top_k`,
/// the model's heads), head j taking the query of its j-th choice:
/// `y = Σ_j p_{e_j} · W_o^{e_j} softmax(q_j Kᵀ / √h) V` with `q_j = W_q^{e_j} x`. Queries and
/// outputs run once per expert on its rows in expert order; the heads attend together.
class AttentionMixture {
 public:
  /// The attention of the tokens `x` ([N, T, d], normalised) under `router` with the block's
  /// shared keys and values (`attn.kv.weight`, `attn.kv.bias` of `block`) and the experts of
  /// `groups`: [N, T, d], or [N, 1, d] for the class token only when `class_token_only`
  /// (keys and values still read every token). `token_tasks` ([N] int64, each example's task)
  /// and `tasks`: a joint model's (`ExpertRouting`).
  static MixtureOutput apply(const at::Tensor& x, const Component& block,
                             const std::vector<const Component*>& groups, const Component& router,
                             bool class_token_only, const at::Tensor& token_tasks = {},
                             int64_t tasks = 1);
};

}  // namespace evostream::model
