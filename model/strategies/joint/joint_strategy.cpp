#include "model/strategies/joint/joint_strategy.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "model/nn/vit/vit_factory.hpp"
#include "model/strategies/committed_visit.hpp"
#include "model/strategies/joint/joint_data.hpp"
#include "model/strategies/joint/joint_loss.hpp"
#include "model/strategies/joint/joint_parts.hpp"
#include "model/strategies/path_draft.hpp"
#include "model/strategies/recipe_visit.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

JointStrategy::JointStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {
  if (env_.simulation) {
    throw std::invalid_argument(
        "strategy joint: needs real training (it trains on every task's images at once); "
        "simulated trainers cannot run it");
  }
}

std::string JointStrategy::head_id(const std::string& owner, const std::string& task) {
  return JointParts::id(owner, ComponentKind::kHead, -1, task);
}

std::unique_ptr<TaskLearner> JointStrategy::start(const RunState& state, const TaskContext& ctx) {
  if (state.last_task.empty())
    return train_joint(state, ctx);
  // Every path of the run shares the joint backbone and takes its head from the first task.
  return std::make_unique<CommittedVisit>(JointParts::path_of(state, ctx, name()));
}

std::unique_ptr<TaskLearner> JointStrategy::train_joint(const RunState& state,
                                                        const TaskContext& ctx) const {
  if (ctx.stream == nullptr)
    throw std::logic_error("joint: the task context carries no stream to train on");
  JointData joint = JointData::of(*ctx.stream);
  PathDraft draft(ctx);
  for (const auto& c : state.store.resolve(SharedBackboneStrategy::backbone_of(state.root)))
    draft.add_clone(*c);
  const std::string joined =
      derived_id(ctx.task.name(), ComponentKind::kHead, -1, draft.suffix() + ".joined");
  draft.add(std::make_shared<const Component>(
      VitFactory::head(joined, ctx.task.name(), env_.architecture.dim, joint.offsets.back(),
                       SharedBackboneStrategy::head_seed(options(), ctx))));
  draft.path().recipe = SharedBackboneStrategy::recipe_of(options());
  auto inner = train_once(std::move(draft.path()), std::move(draft.components()), state, ctx);
  auto visit = std::make_unique<RecipeVisit>(
      std::move(inner), std::make_shared<const JointLoss>(joint.offsets),
      SharedBackboneStrategy::optimizer_of(options()),
      [joined, offsets = joint.offsets, tasks = joint.tasks](TaskOutcome& out) {
        JointParts::split(out, joined, offsets, tasks);
      });
  // One training of the union: each task's steps, and as many validations as one visit has.
  const auto tasks = static_cast<int64_t>(joint.tasks.size());
  visit->train_on(joint.data, env_.spec.task_steps * tasks, env_.spec.validation_interval * tasks);
  return visit;
}

}  // namespace evostream::model
