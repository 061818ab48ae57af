#include "model/strategies/ewc/ewc_strategy.hpp"

#include <ATen/ATen.h>

#include <stdexcept>

#include "model/strategies/ewc/ewc_penalty.hpp"
#include "model/train/fisher.hpp"

namespace evostream::model {

EwcStrategy::EwcStrategy(StrategyEnvironment env) : SharedBackboneStrategy(std::move(env)) {
  if (env_.simulation) {
    throw std::invalid_argument(
        "strategy ewc: needs real training (its Fisher information is computed from the task's "
        "images); simulated trainers cannot run it");
  }
}

std::shared_ptr<const Objective> EwcStrategy::objective(const RunState& state,
                                                        const TaskContext& ctx) const {
  std::vector<const Path*> held;
  if (options().mode == "online") {
    if (!state.last_task.empty() && state.last_task != ctx.task.name())
      held.push_back(&state.paths.at(state.last_task));
  } else {
    held = other_paths(state, ctx.task.name());
  }
  std::vector<EwcAnchor> anchors;
  for (const Path* p : held) {
    for (const auto& id : backbone_of(*p))
      anchors.push_back({state.store.get(id), state.store.get(fisher_id(id))});
  }
  if (anchors.empty())
    return nullptr;
  return std::make_shared<const EwcPenalty>(std::move(anchors), options().lambda);
}

std::vector<Component> EwcStrategy::commit_with(const RunState& state, const TaskContext& ctx,
                                                const std::vector<Component>& trained) const {
  std::vector<std::shared_ptr<const Component>> path;
  for (const auto& c : trained)
    path.push_back(std::make_shared<const Component>(c));
  const int64_t image_size = recipe().image_size;
  std::vector<std::vector<at::Tensor>> fisher =
      diagonal_fisher(path, ctx.task.train, env_.spec.batch_size, *env_.train.family, image_size);
  // Online: the running Fisher, decay × the latest commit's + this task's.
  const bool online =
      options().mode == "online" && !state.last_task.empty() && state.last_task != ctx.task.name();
  std::vector<std::string> previous;
  if (online)
    previous = backbone_of(state.paths.at(state.last_task));
  std::vector<Component> out;
  for (size_t i = 0; i + 1 < trained.size(); ++i) {
    const Component& c = trained[i];
    std::vector<at::Tensor> f = std::move(fisher[i]);
    if (online) {
      const auto before = state.store.get(fisher_id(previous.at(i)));
      for (size_t t = 0; t < f.size(); ++t)
        f[t] = f[t] + options().decay * before->tensors().at(t);
    }
    out.emplace_back(fisher_id(c.id()), c.kind(), c.index(), c.owner(), c.id(), c.names(),
                     std::move(f));
  }
  return out;
}

}  // namespace evostream::model
