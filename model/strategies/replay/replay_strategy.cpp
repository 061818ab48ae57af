#include "model/strategies/replay/replay_strategy.hpp"

#include <stdexcept>

#include "model/strategies/replay/replay_loss.hpp"
#include "streams/rng.hpp"

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
  if (ctx.stream == nullptr)
    throw std::logic_error("strategy replay: the task context carries no stream to replay from");
  const std::vector<streams::TaskData>& stream = *ctx.stream;
  std::vector<int64_t> learned;
  std::map<int64_t, std::shared_ptr<const Component>> heads;
  for (size_t t = 0; t < stream.size(); ++t) {
    const std::string& name = stream[t].name();
    const auto path = state.paths.find(name);
    if (name == ctx.task.name() || path == state.paths.end())
      continue;
    learned.push_back(static_cast<int64_t>(t));
    heads[static_cast<int64_t>(t)] = state.store.get(path->second.ids.back());
  }
  if (learned.empty())
    return nullptr;
  const uint64_t seed =
      streams::Rng::derive({ctx.seed, 0x4e91a7, static_cast<uint64_t>(ctx.task_index),
                            static_cast<uint64_t>(ctx.iteration)})
          .next_u64();
  return std::make_shared<const ReplayLoss>(
      ReplayBuffer::of(stream, learned, options().memory, ctx.seed), stream, std::move(heads),
      options().replay_batch, seed);
}

}  // namespace evostream::model
