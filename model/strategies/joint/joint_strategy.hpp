#pragma once

#include <memory>
#include <string>

#include "model/strategies/shared_backbone/shared_backbone_options.hpp"
#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// Joint training, the offline upper bound (Avalanche's JointTraining): one backbone trained
/// once on the whole stream, with a head per task.
///
/// The first task visit of the run clones the root's backbone and trains it, with one head
/// joined over every task's classes, on the union of the stream's training splits
/// (`JointData`) for the stream's whole budget (tasks × `[strategy] task_steps` steps of
/// `batch_size` images drawn from the union), each example scored on its own task's classes
/// (`JointLoss`). It commits the backbone and the joined head cut into one head per task, all
/// owned by the first task. Every later visit trains nothing and commits the task's path: that
/// backbone and its head. Old predictions never change after the first visit. Reads the
/// `[strategy.joint]` table (`SharedBackboneOptions`). Needs real training (simulated trainers
/// cannot run it), tasks of one image shape, and a stream known from the start: a task added
/// later (a served run, `resume --tasks`) is refused.
class JointStrategy : public Strategy {
 public:
  explicit JointStrategy(StrategyEnvironment env);
  std::string name() const override { return "joint"; }
  bool offline() const override { return true; }
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;

  /// The id of task `task`'s head, cut from the joined head that `owner` (the first task)
  /// trained: `OWNER/head@joint.TASK`.
  static std::string head_id(const std::string& owner, const std::string& task);

 private:
  // The first visit: the joint training.
  std::unique_ptr<TaskLearner> train_joint(const RunState& state, const TaskContext& ctx) const;
  const SharedBackboneOptions& options() const { return env_.options_as<SharedBackboneOptions>(); }
};

}  // namespace evostream::model
