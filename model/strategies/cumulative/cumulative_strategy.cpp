#include "model/strategies/cumulative/cumulative_strategy.hpp"

#include <stdexcept>

#include "common/rng.hpp"
#include "model/strategies/replay/replay_loss.hpp"

namespace evostream::model {

CumulativeStrategy::CumulativeStrategy(StrategyEnvironment env)
    : SharedBackboneStrategy(std::move(env)) {
  if (env_.simulation) {
    throw std::invalid_argument(
        "strategy cumulative: needs real training (it trains on the earlier tasks' images); "
        "simulated trainers cannot run it");
  }
}

std::shared_ptr<const Objective> CumulativeStrategy::objective(const RunState& state,
                                                               const TaskContext& ctx) const {
  const EarlierTasks earlier = earlier_tasks(state, ctx);
  if (earlier.positions.empty())
    return nullptr;
  const auto k = static_cast<int64_t>(earlier.positions.size());
  return std::make_shared<const ReplayLoss>(ReplayBuffer::all(*ctx.stream, earlier.positions),
                                            *ctx.stream, earlier.heads, k * env_.spec.batch_size,
                                            visit_seed(ctx));
}

}  // namespace evostream::model
