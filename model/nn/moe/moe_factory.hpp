#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"

namespace evostream::model {

/// Creates the moe-vit family's components, seeded and bit-reproducible.
///
/// - A MoE block (`moe_block`, index k) holds a dense block's norms and attention (`ln1.*`,
///   `attn.*`, `ln2.*`), initialised as the ViT's.
/// - An expert group (`experts`, index k) holds n experts: `fc1.weight` [n, h, d],
///   `fc1.bias` [n, h], `fc2.weight` [n, d, h], `fc2.bias` [n, d]; Xavier-uniform kernels and
///   zero biases, h = `mlp / top_k`.
/// - An attention MoE block (`attention_moe_block`, index k) holds a dense block's norms and
///   MLP (`ln1.*`, `ln2.*`, `mlp.*`) and the attention's shared keys and values,
///   `attn.kv.weight` [2h, d] (Xavier-uniform) and `attn.kv.bias` [2h] (zero), h = d / heads.
/// - An attention expert group (`attention_experts`, index k) holds n experts: `q.weight`
///   [n, h, d] and `o.weight` [n, d, h], Xavier-uniform.
/// - A router (`router`, index k) holds `weight` [experts, d], zero-initialised (Mod-Squad's),
///   and `top_k` (int64 [1]).
/// - A task embedding (`task_embedding`) holds `embedding` [1, 1, d], zero-initialised.
class MoeFactory {
 public:
  /// All components of a root model for `arch` with a head of `classes` outputs, owned by
  /// `owner`, in path order: the ViT's embedding, a task embedding, the blocks (block k a MoE
  /// block with `arch.experts` experts and a router when (k + 1) is a multiple of
  /// `arch.moe_every`; the others, when `arch.attention_experts` is positive, attention MoE
  /// blocks with that many attention experts and a router whose tokens use `arch.heads`), the
  /// final norm and the head.
  static std::vector<Component> root(const config::ArchitectureSpec& arch, int64_t classes,
                                     const std::string& owner, uint64_t seed);
  /// A group of `count` experts of block `index` of width `dim` and hidden width `hidden`.
  static Component experts(const std::string& id, const std::string& owner, int64_t index,
                           int64_t count, int64_t dim, int64_t hidden, uint64_t seed);
  /// A group of `count` attention experts of block `index` of width `dim` and head width
  /// `width`.
  static Component attention_experts(const std::string& id, const std::string& owner, int64_t index,
                                     int64_t count, int64_t dim, int64_t width, uint64_t seed);
  /// A zero router of block `index` over `experts` experts, each token using `top_k`.
  static Component router(const std::string& id, const std::string& owner, int64_t index,
                          int64_t experts, int64_t dim, int64_t top_k);
  /// A zero task embedding of width `dim`.
  static Component task_embedding(const std::string& id, const std::string& owner, int64_t dim);
  /// Whether block `k` of `arch` is a mixture of experts.
  static bool is_moe(const config::ArchitectureSpec& arch, int64_t k);
};

}  // namespace evostream::model
