#include "model/strategies/lwf/lwf_strategy.hpp"

#include <stdexcept>

#include "model/strategies/lwf/lwf_distillation.hpp"

namespace evostream::model {

LwfStrategy::LwfStrategy(StrategyEnvironment env) : SharedBackboneStrategy(std::move(env)) {
  if (env_.simulation) {
    throw std::invalid_argument(
        "strategy lwf: needs real training (it distils the previous model's outputs on the "
        "task's images); simulated trainers cannot run it");
  }
}

std::shared_ptr<const Objective> LwfStrategy::objective(const RunState& state,
                                                        const TaskContext& ctx) const {
  std::vector<std::shared_ptr<const Component>> heads;
  for (const Path* p : other_paths(state, ctx.task.name()))
    heads.push_back(state.store.get(p->ids.back()));
  if (heads.empty())
    return nullptr;
  std::vector<std::string> previous = latest_backbone(state);
  previous.push_back(state.paths.at(state.last_task).ids.back());
  return std::make_shared<const LwfDistillation>(state.store.resolve(previous), std::move(heads),
                                                 options().alpha, options().temperature,
                                                 env_.architecture.heads, recipe().image_size);
}

}  // namespace evostream::model
