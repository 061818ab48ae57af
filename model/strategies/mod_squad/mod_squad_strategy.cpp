#include "model/strategies/mod_squad/mod_squad_strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/moe/moe_layout.hpp"
#include "model/strategies/mod_squad/expert_usage.hpp"
#include "model/strategies/mod_squad/mutual_information.hpp"
#include "model/strategies/recipe_visit.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"
#include "streams/rng.hpp"

namespace evostream::model {

ModSquadStrategy::ModSquadStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {
  const std::string family = env_.train.family ? env_.train.family->name() : "vit";
  if (family != "moe-vit") {
    throw std::invalid_argument(fmt::format(
        "strategy mod-squad: expected [root.architecture] family = \"moe-vit\", found \"{}\"",
        family));
  }
  if (env_.simulation) {
    throw std::invalid_argument(
        "strategy mod-squad: needs real training (its MI term reads the routers' probabilities); "
        "simulated trainers cannot run it");
  }
}

std::vector<std::vector<at::Tensor>> ModSquadStrategy::earlier_usage(
    const RunState& state, const std::string& task) const {
  std::vector<std::vector<at::Tensor>> out;
  for (const Path* p : state.ordered_paths()) {
    if (p->task == task)
      continue;
    size_t j = 0;
    for (const auto& id : p->ids) {
      const auto c = state.store.get(id);
      if (c->kind() != ComponentKind::kRouter)
        continue;
      if (out.size() <= j)
        out.resize(j + 1);
      out[j++].push_back(state.store.get(usage_id(id))->tensor("probability"));
    }
  }
  return out;
}

std::unique_ptr<TaskLearner> ModSquadStrategy::start(const RunState& state,
                                                     const TaskContext& ctx) {
  const ModSquadOptions& o = options();
  PathDraft draft(ctx);
  const bool first = state.last_task.empty();
  const Path& base = first ? state.root : state.paths.at(state.last_task);
  const auto components = state.store.resolve(base.ids);
  int64_t dim = 0;
  for (size_t i = 0; i < components.size(); ++i) {
    const Component& c = *components[i];
    if (c.kind() == ComponentKind::kPatchEmbedding)
      dim = c.tensor("weight").size(0);
    if (c.kind() == ComponentKind::kHead) {
      draft.add_head(dim);
      continue;
    }
    if (first) {
      draft.add_clone(c);
      continue;
    }
    switch (c.kind()) {
      case ComponentKind::kTaskEmbedding:
        draft.add(std::make_shared<const Component>(MoeFactory::task_embedding(
            derived_id(draft.task(), c.kind(), -1, draft.suffix()), draft.task(), dim)));
        break;
      case ComponentKind::kRouter: {
        // The block's earlier experts are on the draft already: add the task's, then its
        // router over all of them.
        int64_t experts = c.tensor("weight").size(0);
        if (o.new_experts > 0) {
          const int64_t hidden = components[i - 1]->tensor("fc1.weight").size(1);
          const uint64_t seed =
              streams::Rng::derive({ctx.seed, 0x6d73u, static_cast<uint64_t>(ctx.task_index),
                                    static_cast<uint64_t>(ctx.iteration),
                                    static_cast<uint64_t>(c.index())})
                  .next_u64();
          draft.add(std::make_shared<const Component>(MoeFactory::experts(
              derived_id(draft.task(), ComponentKind::kExperts, c.index(), draft.suffix()),
              draft.task(), c.index(), o.new_experts, dim, hidden, seed)));
          experts += o.new_experts;
        }
        draft.add(std::make_shared<const Component>(MoeFactory::router(
            derived_id(draft.task(), ComponentKind::kRouter, c.index(), draft.suffix()),
            draft.task(), c.index(), experts, dim, MoeVitLayout::top_k(c))));
        break;
      }
      default:
        draft.add(components[i]);
    }
  }
  Path path = std::move(draft.path());
  path.hp = SharedBackboneStrategy::hyperparameters_of(o);
  const int64_t image_size = path.hp.image_size;
  auto inner = train_once(std::move(path), std::move(draft.components()), state, ctx);
  std::shared_ptr<const Objective> objective;
  if (!first)
    objective = std::make_shared<const MutualInformationLoss>(earlier_usage(state, ctx.task.name()),
                                                              o.w_mi);
  const auto family = env_.train.family;
  const streams::TaskData* task = &ctx.task;
  const RunState* run = &state;
  const int64_t images = o.usage_images;
  // A committed task keeps its expert usage beside each router, and no training state.
  return std::make_unique<RecipeVisit>(
      std::move(inner), std::move(objective), SharedBackboneStrategy::optimizer_of(o),
      [family, task, run, images, image_size](TaskOutcome& out) {
        for (auto& c : out.added)
          c = c.with_momentum({});
        std::vector<std::shared_ptr<const Component>> held;
        for (const auto& id : out.path.ids) {
          auto at = std::find_if(out.added.begin(), out.added.end(),
                                 [&](const Component& c) { return c.id() == id; });
          held.push_back(at != out.added.end() ? std::make_shared<const Component>(*at)
                                               : run->store.get(id));
        }
        const auto f = family->bind(pointers(held), image_size);
        const ExpertUsage usage = ExpertUsage::measure(*f, task->train, images);
        size_t j = 0;
        for (const auto& c : held) {
          if (c->kind() != ComponentKind::kRouter)
            continue;
          out.added.emplace_back(
              usage_id(c->id()), ComponentKind::kExpertUsage, c->index(), c->owner(), c->id(),
              std::vector<std::string>{"probability", "selected"},
              std::vector<at::Tensor>{usage.probability.at(j), usage.selected.at(j)});
          ++j;
        }
      });
}

}  // namespace evostream::model
