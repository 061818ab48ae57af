#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "common/rng.hpp"
#include "model/strategies/path_draft.hpp"
#include "model/strategies/recipe_visit.hpp"

namespace evostream::model {

OptimizerOptions SharedBackboneStrategy::optimizer_of(const SharedBackboneOptions& o) {
  OptimizerOptions opt;
  opt.kind = o.optimizer == "adam" ? OptimizerOptions::Kind::kAdamW : OptimizerOptions::Kind::kSgd;
  opt.momentum = o.momentum;
  opt.weight_decay = o.weight_decay;
  opt.clip_norm = o.clip_norm;
  opt.carry_state = o.carry_optimizer;
  return opt;
}

std::vector<std::string> SharedBackboneStrategy::backbone_of(const Path& path) {
  return {path.ids.begin(), path.ids.end() - 1};
}

std::vector<std::string> SharedBackboneStrategy::latest_backbone(const RunState& state) {
  return backbone_of(state.last_task.empty() ? state.root : state.paths.at(state.last_task));
}

std::vector<const Path*> SharedBackboneStrategy::other_paths(const RunState& state,
                                                             const std::string& except) {
  std::vector<const Path*> out;
  for (const auto& [task, path] : state.paths) {
    if (task != except)
      out.push_back(&path);
  }
  return out;
}

SharedBackboneStrategy::EarlierTasks SharedBackboneStrategy::earlier_tasks(const RunState& state,
                                                                           const TaskContext& ctx) {
  if (ctx.stream == nullptr)
    throw std::logic_error("the task context carries no stream to read earlier tasks from");
  EarlierTasks out;
  const std::vector<streams::TaskData>& stream = *ctx.stream;
  for (size_t t = 0; t < stream.size(); ++t) {
    const std::string& name = stream[t].name();
    const auto path = state.paths.find(name);
    if (name == ctx.task.name() || path == state.paths.end())
      continue;
    out.positions.push_back(static_cast<int64_t>(t));
    out.heads[static_cast<int64_t>(t)] = state.store.get(path->second.ids.back());
  }
  return out;
}

uint64_t SharedBackboneStrategy::visit_seed(const TaskContext& ctx) {
  return common::Rng::derive({ctx.seed, 0x4e91a7, static_cast<uint64_t>(ctx.task_index),
                              static_cast<uint64_t>(ctx.iteration)})
      .next_u64();
}

std::optional<uint64_t> SharedBackboneStrategy::head_seed(const SharedBackboneOptions& o,
                                                          const TaskContext& ctx) {
  if (o.head_init == "zeros")
    return std::nullopt;
  return common::Rng::derive({visit_seed(ctx), 0x4ead}).next_u64();
}

std::unique_ptr<TaskLearner> SharedBackboneStrategy::start(const RunState& state,
                                                           const TaskContext& ctx) {
  PathDraft draft(ctx);
  for (const auto& c : state.store.resolve(latest_backbone(state)))
    draft.add_clone(*c);
  draft.add_head(env_.architecture.dim, head_seed(shared_options(), ctx));
  draft.path().recipe = recipe();
  auto learner = train_once(std::move(draft.path()), std::move(draft.components()), state, ctx);
  return std::make_unique<RecipeVisit>(std::move(learner), objective(state, ctx),
                                       optimizer_of(shared_options()),
                                       [this, &state, &ctx](TaskOutcome& out) {
                                         for (auto& c : commit_with(state, ctx, out.added))
                                           out.added.push_back(std::move(c));
                                       });
}

TrainRecipe SharedBackboneStrategy::recipe_of(const SharedBackboneOptions& o) {
  TrainRecipe recipe;
  recipe.learning_rate = o.learning_rate;
  const auto at = std::find(kScheduleNames.begin(), kScheduleNames.end(), o.schedule);
  if (at == kScheduleNames.end())
    throw std::logic_error("shared backbone: unknown schedule " + o.schedule);
  recipe.schedule = static_cast<Schedule>(at - kScheduleNames.begin());
  recipe.warmup_ratio = o.warmup_ratio;
  recipe.momentum = o.optimizer == "sgd" ? o.momentum : 0.0;
  return recipe;
}

Path SharedBackboneStrategy::serving_path(const RunState& state, const std::string& task) const {
  Path own = Strategy::serving_path(state, task);
  std::vector<std::string> ids = latest_backbone(state);
  ids.push_back(own.ids.back());
  own.ids = std::move(ids);
  return own;
}

std::shared_ptr<const Objective> SharedBackboneStrategy::objective(const RunState&,
                                                                   const TaskContext&) const {
  return nullptr;
}

std::vector<Component> SharedBackboneStrategy::commit_with(const RunState&, const TaskContext&,
                                                           const std::vector<Component>&) const {
  return {};
}

}  // namespace evostream::model
