#pragma once

#include <string>

#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// Naive sequential fine-tuning, the forgetting baseline: one shared backbone fine-tuned task
/// after task, with one head per task.
///
/// Each task starts from the backbone the previous task left (the root's for the first) and
/// trains all of it with a fresh head. Old tasks are then served by the newest backbone and
/// their own head, so what later tasks change in the backbone shows as negative BWT. (The
/// store still keeps every backbone version: committed components are never changed.)
class SequentialStrategy : public Strategy {
 public:
  explicit SequentialStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {}
  std::string name() const override { return "sequential"; }
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;
  Path serving_path(const RunState& state, const std::string& task) const override;
  bool immutable() const override { return false; }
};

}  // namespace evostream::model
