#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/core/parameter_store.hpp"
#include "model/core/path.hpp"

namespace evostream::model {

/// A standalone model of one Mod-Squad task: its path with only the experts its routers use
/// (Mod-Squad's `pruning`, spec §3.3).
///
/// Per MoE block, expert e is kept when its share of the task's top-k selections, in percent,
/// exceeds `thresh / k`; when fewer than k pass, the k most selected are kept (ties to the
/// lower expert). The block's kept experts become one expert group, in the router's order.
/// The router keeps its whole weight and gains `kept` (int64, the kept experts' rows,
/// ascending): every expert still enters the softmax's normaliser, so a kept expert's gate is
/// bit-identical to the whole model's, and a token's top k is taken among the kept experts.
/// The extracted model therefore predicts exactly as the whole model on every image whose
/// tokens all choose kept experts; `ExpertMixture` documents the routing.
struct ExpertExtraction {
  /// The standalone path's components, in path order (the moe-vit layout, one expert group
  /// per MoE block).
  std::vector<Component> components;
  /// Per MoE block: the kept experts, as rows of the task's router.
  std::vector<std::vector<int64_t>> kept;
  /// Per MoE block: the experts of the whole path.
  std::vector<int64_t> experts;

  /// The experts kept from `selected` (the share of selections per expert, summing to 1) of a
  /// router using `top_k` experts per token, at threshold `thresh` (percent × top_k).
  static std::vector<int64_t> keep(const at::Tensor& selected, int64_t top_k, double thresh);

  /// Extracts task `task`'s committed `path` from `store`, which holds the path's components
  /// and the `expert_usage` kept beside each router (`ModSquadStrategy::usage_id`). Raises
  /// `std::invalid_argument` naming the task when the path is not a moe-vit path, or a router
  /// has no stored usage (the run was not learned by mod-squad), or `thresh` is negative.
  static ExpertExtraction extract(const ParameterStore& store, const Path& path, double thresh);
};

}  // namespace evostream::model
