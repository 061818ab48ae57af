#include "model/strategies/mod_squad/mod_squad_strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "common/rng.hpp"
#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/moe/moe_layout.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/strategies/committed_visit.hpp"
#include "model/strategies/joint/joint_data.hpp"
#include "model/strategies/joint/joint_parts.hpp"
#include "model/strategies/mod_squad/expert_usage.hpp"
#include "model/strategies/mod_squad/joint_mod_squad_loss.hpp"
#include "model/strategies/mod_squad/mutual_information.hpp"
#include "model/strategies/recipe_visit.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

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
  if (o.mode == "joint") {
    if (state.last_task.empty())
      return train_joint(state, ctx);
    return std::make_unique<CommittedVisit>(JointParts::path_of(state, ctx, name()));
  }
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
          const Component& group = *components[i - 1];  // the block's last expert group
          const int64_t hidden = group.tensors().front().size(1);
          const uint64_t seed =
              common::Rng::derive({ctx.seed, 0x6d73u, static_cast<uint64_t>(ctx.task_index),
                                   static_cast<uint64_t>(ctx.iteration),
                                   static_cast<uint64_t>(c.index())})
                  .next_u64();
          const std::string id = derived_id(draft.task(), group.kind(), c.index(), draft.suffix());
          draft.add(std::make_shared<const Component>(
              group.kind() == ComponentKind::kAttentionExperts
                  ? MoeFactory::attention_experts(id, draft.task(), c.index(), o.new_experts, dim,
                                                  hidden, seed)
                  : MoeFactory::experts(id, draft.task(), c.index(), o.new_experts, dim, hidden,
                                        seed)));
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
  path.recipe = SharedBackboneStrategy::recipe_of(o);
  const int64_t image_size = path.recipe.image_size;
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
        add_expert_usage(out, out.path.ids, *family, *task, *run, images, image_size);
      });
}

std::unique_ptr<TaskLearner> ModSquadStrategy::train_joint(const RunState& state,
                                                           const TaskContext& ctx) const {
  if (ctx.stream == nullptr)
    throw std::logic_error("mod-squad: the task context carries no stream to train on");
  const ModSquadOptions& o = options();
  JointData joint = JointData::of(*ctx.stream, name());
  const auto tasks = static_cast<int64_t>(joint.tasks.size());
  PathDraft draft(ctx);
  // The trunk and experts are cloned from the root; each task's router and task embedding
  // start as the root's, repeated once per task; the head joins every task's classes.
  std::vector<std::pair<std::string, std::vector<int64_t>>> joined;  // id, each task's rows
  int64_t dim = 0;
  for (const auto& c : state.store.resolve(state.root.ids)) {
    const std::string id =
        derived_id(draft.task(), c->kind(), c->index(), draft.suffix() + ".joined");
    switch (c->kind()) {
      case ComponentKind::kTaskEmbedding:
      case ComponentKind::kRouter: {
        const int64_t rows = c->tensors().front().size(0);
        std::vector<int64_t> at;
        for (int64_t t = 0; t <= tasks; ++t)
          at.push_back(t * rows);
        joined.emplace_back(id, std::move(at));
        draft.add(std::make_shared<const Component>(repeated(*c, id, draft.task(), tasks)));
        break;
      }
      case ComponentKind::kHead:
        joined.emplace_back(id, joint.offsets);
        draft.add(std::make_shared<const Component>(
            VitFactory::head(id, draft.task(), dim, joint.offsets.back())));
        break;
      default:
        if (c->kind() == ComponentKind::kPatchEmbedding)
          dim = c->tensor("weight").size(0);
        draft.add_clone(*c);
    }
  }
  Path path = std::move(draft.path());
  path.recipe = SharedBackboneStrategy::recipe_of(o);
  const int64_t image_size = path.recipe.image_size;
  auto inner = train_once(std::move(path), std::move(draft.components()), state, ctx);
  const auto family = env_.train.family;
  const std::vector<streams::TaskData>* stream = ctx.stream;
  const RunState* run = &state;
  const int64_t images = o.usage_images;
  auto visit = std::make_unique<RecipeVisit>(
      std::move(inner), std::make_shared<const JointModSquadLoss>(joint.offsets, o.w_mi),
      SharedBackboneStrategy::optimizer_of(o),
      [family, stream, run, images, image_size, joined, names = joint.tasks](TaskOutcome& out) {
        for (auto& c : out.added)
          c = c.with_momentum({});
        for (const auto& [id, rows] : joined)
          JointParts::split(out, id, rows, names);
        // Each task's path names its own parts in place of the trained task's.
        for (size_t t = 0; t < names.size(); ++t) {
          std::vector<std::string> ids = out.path.ids;
          for (auto& id : ids) {
            const auto c = std::find_if(out.added.begin(), out.added.end(),
                                        [&](const Component& a) { return a.id() == id; });
            if (c != out.added.end() &&
                id == JointParts::id(c->owner(), c->kind(), c->index(), out.path.task))
              id = JointParts::id(c->owner(), c->kind(), c->index(), names[t]);
          }
          add_expert_usage(out, ids, *family, (*stream)[t], *run, images, image_size);
        }
      });
  // Each task's steps, and as many validations as one visit has.
  visit->train_on(joint.data, env_.spec.task_steps * tasks, env_.spec.validation_interval * tasks);
  return visit;
}

Component ModSquadStrategy::repeated(const Component& c, const std::string& id,
                                     const std::string& owner, int64_t times) {
  std::vector<at::Tensor> tensors;
  for (const auto& t : c.tensors()) {
    if (!t.is_floating_point()) {
      tensors.push_back(t.clone());
      continue;
    }
    std::vector<int64_t> repeats(static_cast<size_t>(t.dim()), 1);
    repeats.front() = times;
    tensors.push_back(t.repeat(repeats));
  }
  return Component(id, c.kind(), c.index(), owner, c.id(), c.names(), std::move(tensors));
}

void ModSquadStrategy::add_expert_usage(TaskOutcome& out, const std::vector<std::string>& ids,
                                        const ModelFamily& family, const streams::TaskData& task,
                                        const RunState& run, int64_t images, int64_t image_size) {
  std::vector<std::shared_ptr<const Component>> held;
  for (const auto& id : ids) {
    auto at = std::find_if(out.added.begin(), out.added.end(),
                           [&](const Component& c) { return c.id() == id; });
    held.push_back(at != out.added.end() ? std::make_shared<const Component>(*at)
                                         : run.store.get(id));
  }
  const auto f = family.bind(pointers(held), image_size);
  const ExpertUsage usage = ExpertUsage::measure(*f, task.train, images);
  size_t j = 0;
  for (const auto& c : held) {
    if (c->kind() != ComponentKind::kRouter)
      continue;
    out.added.emplace_back(usage_id(c->id()), ComponentKind::kExpertUsage, c->index(), c->owner(),
                           c->id(), std::vector<std::string>{"probability", "selected"},
                           std::vector<at::Tensor>{usage.probability.at(j), usage.selected.at(j)});
    ++j;
  }
}

}  // namespace evostream::model
