#pragma once

#include <string>

#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

/// Naive sequential fine-tuning, the forgetting baseline: one shared backbone fine-tuned task
/// after task, with one head per task, minimising the task's cross-entropy alone (Avalanche's
/// Naive).
class SequentialStrategy : public SharedBackboneStrategy {
 public:
  explicit SequentialStrategy(StrategyEnvironment env) : SharedBackboneStrategy(std::move(env)) {}
  std::string name() const override { return "sequential"; }
};

}  // namespace evostream::model
