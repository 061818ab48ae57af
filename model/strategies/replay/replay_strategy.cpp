#include "model/strategies/replay/replay_strategy.hpp"

#include <stdexcept>

#include "model/strategies/replay/replay_loss.hpp"

namespace evostream::model {

ReplayStrategy::ReplayStrategy(StrategyEnvironment env) : SharedBackboneStrategy(std::move(env)) {
  if (env_.simulation) {
    throw std::invalid_argument(
        "strategy replay: needs real training (it replays the earlier tasks' images); "
        "simulated trainers cannot run it");
  }
}

std::shared_ptr<const Objective> ReplayStrategy::objective(const RunState& state,
                                                           const TaskContext& ctx) const {
  const EarlierTasks earlier = earlier_tasks(state, ctx);
  if (earlier.positions.empty())
    return nullptr;
  return std::make_shared<const ReplayLoss>(
      ReplayBuffer::of(*ctx.stream, earlier.positions, options().memory, ctx.seed), *ctx.stream,
      earlier.heads, options().replay_batch, visit_seed(ctx));
}

}  // namespace evostream::model
