#include "model/strategies/mu2net/mutation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/train/recipe_text.hpp"

namespace evostream::model {

Mutation::Mutation(const SearchSpace& space, std::vector<std::string> root_blocks, std::string task,
                   bool clone_root, double bottom_clone)
    : space_(space),
      root_blocks_(std::move(root_blocks)),
      task_(std::move(task)),
      clone_root_(clone_root),
      bottom_clone_(bottom_clone) {}

ChildPlan Mutation::plan(const std::vector<ComponentRef>& parent, const Hyperparameters& parent_hp,
                         common::Rng& rng, bool mutate) const {
  ChildPlan child;
  child.hp = parent_hp;
  if (mutate)
    child.mutations += space_.mutate(child.hp, rng);
  // The hyperparameters that moved, as they read before and after.
  child.changes = recipe_changes(parent_hp.recipe(), child.hp.recipe());
  const double mu = mutate ? child.hp.mu : 0.0;

  const ComponentRef* embedding[3] = {nullptr, nullptr, nullptr};
  std::vector<const ComponentRef*> blocks;
  std::vector<const ComponentRef*> adapters;
  const ComponentRef* norm = nullptr;
  const ComponentRef* head = nullptr;
  for (const auto& c : parent) {
    switch (c.kind) {
      case ComponentKind::kPatchEmbedding:
        embedding[0] = &c;
        break;
      case ComponentKind::kClassToken:
        embedding[1] = &c;
        break;
      case ComponentKind::kPositionEmbedding:
        embedding[2] = &c;
        break;
      case ComponentKind::kBlock:
        blocks.push_back(&c);
        break;
      case ComponentKind::kAdapter:
        if (adapters.size() <= static_cast<size_t>(c.index))
          adapters.resize(static_cast<size_t>(c.index) + 1, nullptr);
        adapters[static_cast<size_t>(c.index)] = &c;
        break;
      case ComponentKind::kFinalNorm:
        norm = &c;
        break;
      case ComponentKind::kHead:
        head = &c;
        break;
      default:
        throw std::invalid_argument("mutation: µ2Net evolves ViT paths, found the component " +
                                    c.id + " of another family");
    }
  }
  if (!embedding[0] || !embedding[1] || !embedding[2] || !norm || !head || blocks.empty())
    throw std::invalid_argument("mutation: the parent path is not a complete ViT");

  const int64_t depth = static_cast<int64_t>(root_blocks_.size());
  const int64_t parent_layers = static_cast<int64_t>(blocks.size());
  child.num_layers = parent_layers;
  if (mu > 0.0 && rng.bernoulli(mu)) {
    const int64_t step = rng.bernoulli(0.5) ? 1 : -1;
    child.num_layers = std::clamp<int64_t>(parent_layers + step, 1, depth);
    if (child.num_layers != parent_layers) {
      ++child.mutations;
      child.changes.push_back(fmt::format("blocks {} → {}", parent_layers, child.num_layers));
    }
  }

  // What a kept component becomes: the task's own trained components always train on; frozen
  // ones are shared, or cloned with probability µ (at least `bottom_clone_` at the bottom).
  auto keep = [&](const ComponentRef& c, bool bottom) {
    PlannedComponent p{Origin::kReuse, c.id, c.kind, c.index};
    if (!c.frozen || c.owner == task_ || (clone_root_ && c.owner == "root")) {
      p.origin = Origin::kClone;
    } else if (mu > 0.0 && rng.bernoulli(bottom ? std::max(mu, bottom_clone_) : mu)) {
      p.origin = Origin::kClone;
      ++child.mutations;
      child.changes.push_back("clone " + c.id);
    }
    return p;
  };

  for (const ComponentRef* e : embedding)
    child.components.push_back(keep(*e, true));
  for (int64_t k = 0; k < child.num_layers; ++k) {
    const auto uk = static_cast<size_t>(k);
    const ComponentRef* adapter =
        k < parent_layers && uk < adapters.size() ? adapters[uk] : nullptr;
    if (adapter) {
      child.components.push_back(keep(*adapter, false));
    } else if (mu > 0.0 && rng.bernoulli(mu)) {
      child.components.push_back({Origin::kNewAdapter, "", ComponentKind::kAdapter, k});
      ++child.mutations;
      child.changes.push_back(fmt::format("adapter at block {}", k));
    }
    if (k < parent_layers) {
      child.components.push_back(keep(*blocks[uk], k == 0));
    } else {
      ComponentRef root_block{root_blocks_[uk], ComponentKind::kBlock, k, "root", true};
      child.components.push_back(keep(root_block, k == 0));
    }
  }
  child.components.push_back({Origin::kClone, norm->id, norm->kind, norm->index});
  if (head->owner == task_)
    child.components.push_back({Origin::kClone, head->id, head->kind, head->index});
  else
    child.components.push_back({Origin::kNewHead, "", ComponentKind::kHead, -1});
  return child;
}

}  // namespace evostream::model
