#pragma once

#include <string>

#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

/// Cumulative training on the shared backbone (Avalanche's Cumulative): each task trains on
/// the union of every task so far. Each step's minibatch of the task is joined by k ×
/// `[strategy] batch_size` examples drawn from the k earlier tasks' whole training splits
/// (`ReplayBuffer::all`, `ReplayLoss`), so a step sees the union in proportion and a visit sees
/// as many images as an epoch over the union, in the task's own number of steps.
class CumulativeStrategy : public SharedBackboneStrategy {
 public:
  explicit CumulativeStrategy(StrategyEnvironment env);
  std::string name() const override { return "cumulative"; }

 protected:
  std::shared_ptr<const Objective> objective(const RunState& state,
                                             const TaskContext& ctx) const override;
};

}  // namespace evostream::model
