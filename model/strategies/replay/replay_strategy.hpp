#pragma once

#include <string>

#include "model/strategies/replay/replay_options.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

/// Experience replay on the shared backbone: each task trains on its own minibatches joined by
/// examples of the tasks learned before, from a class-balanced buffer (`ReplayBuffer`) of
/// indices into their training splits (`ReplayLoss`). The buffer is rebuilt from the seed and
/// the tasks committed, so snapshots need no copy of it.
class ReplayStrategy : public SharedBackboneStrategy {
 public:
  explicit ReplayStrategy(StrategyEnvironment env);
  std::string name() const override { return "replay"; }

 protected:
  std::shared_ptr<const Objective> objective(const RunState& state,
                                             const TaskContext& ctx) const override;

 private:
  const ReplayOptions& options() const { return env_.options_as<ReplayOptions>(); }
};

}  // namespace evostream::model
