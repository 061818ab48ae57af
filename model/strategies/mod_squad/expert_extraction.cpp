#include "model/strategies/mod_squad/expert_extraction.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "model/nn/moe/expert_mixture.hpp"
#include "model/nn/moe/moe_layout.hpp"
#include "model/strategies/mod_squad/mod_squad_strategy.hpp"

namespace evostream::model {

std::vector<int64_t> ExpertExtraction::keep(const at::Tensor& selected, int64_t top_k,
                                            double thresh) {
  const at::Tensor share = selected.to(at::kCPU).to(at::kDouble).contiguous();
  const double* s = share.data_ptr<double>();
  const int64_t n = share.numel();
  std::vector<int64_t> kept;
  for (int64_t e = 0; e < n; ++e) {
    if (100.0 * s[e] > thresh / static_cast<double>(top_k))
      kept.push_back(e);
  }
  if (static_cast<int64_t>(kept.size()) >= top_k)
    return kept;
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return s[a] > s[b]; });
  order.resize(static_cast<size_t>(std::min(top_k, n)));
  std::sort(order.begin(), order.end());
  return order;
}

ExpertExtraction ExpertExtraction::extract(const ParameterStore& store, const Path& path,
                                           double thresh) {
  if (!(thresh >= 0.0)) {
    throw std::invalid_argument(
        fmt::format("--thresh: expected a share threshold of at least 0, found {}", thresh));
  }
  const auto handles = store.resolve(path.ids);
  MoeVitLayout layout;
  try {
    layout = MoeVitLayout::of(pointers(handles));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format(
        "task {}: expected a moe-vit path (a run of strategy mod-squad), found one that is not: "
        "{}",
        path.task, e.what()));
  }
  ExpertExtraction out;
  for (const Component* c : layout.ordered()) {
    if (c->kind() == ComponentKind::kExperts || c->kind() == ComponentKind::kAttentionExperts)
      continue;  // written with the block's router, below
    if (c->kind() != ComponentKind::kRouter) {
      out.components.push_back(*c);
      continue;
    }
    const MoeVitLayout::Block& b = layout.blocks.at(static_cast<size_t>(c->index()));
    const std::string usage = ModSquadStrategy::usage_id(c->id());
    if (!store.contains(usage)) {
      throw std::invalid_argument(fmt::format(
          "task {}: router {} has no stored expert usage ({}): expected a task learned by "
          "strategy mod-squad",
          path.task, c->id(), usage));
    }
    const int64_t k = MoeVitLayout::top_k(*c);
    const std::vector<int64_t> kept = keep(store.get(usage)->tensor("selected"), k, thresh);
    const at::Tensor rows = at::tensor(kept, at::kLong);
    std::vector<at::Tensor> tensors;
    for (const at::Tensor& t : ExpertMixture::stacked(b.experts))
      tensors.push_back(t.index_select(0, rows).contiguous());
    const Component& group = *b.experts.front();
    out.components.emplace_back(derived_id(path.task, group.kind(), c->index(), "@extracted"),
                                group.kind(), c->index(), path.task, group.id(), group.names(),
                                std::move(tensors));
    out.components.emplace_back(
        derived_id(path.task, ComponentKind::kRouter, c->index(), "@extracted"),
        ComponentKind::kRouter, c->index(), path.task, c->id(),
        std::vector<std::string>{"weight", "top_k", "kept"},
        std::vector<at::Tensor>{c->tensor("weight"), c->tensor("top_k"), rows});
    out.kept.push_back(kept);
    out.experts.push_back(b.expert_count());
  }
  return out;
}

}  // namespace evostream::model
