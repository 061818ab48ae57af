#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/strategies/shared_backbone/shared_backbone_options.hpp"
#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// A strategy that fine-tunes one backbone task after task, with one head per task: naive
/// sequential fine-tuning and the regularised and replaying strategies built on it.
///
/// Each task visit clones the backbone the previous commit left (the root's for the first),
/// adds a fresh head and trains them all as one candidate with the options' optimizer and
/// schedule, minimising `objective`. Old tasks are then served by the newest backbone and their
/// own head (frozen when their task committed), so what later tasks change in the backbone
/// shows as negative BWT; the store still keeps every backbone version (committed components
/// never change), which is what `ewc` anchors to and `lwf` distils from.
class SharedBackboneStrategy : public Strategy {
 public:
  explicit SharedBackboneStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {}
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;
  Path serving_path(const RunState& state, const std::string& task) const override;
  bool immutable() const override { return false; }

  /// The ids of a path's backbone: every component but its head.
  static std::vector<std::string> backbone_of(const Path& path);
  /// The ids of the backbone that committed last, or the root's.
  static std::vector<std::string> latest_backbone(const RunState& state);
  /// The committed paths of every task but `except`, in task-name order.
  static std::vector<const Path*> other_paths(const RunState& state, const std::string& except);

  /// The tasks learned before a visit, as positions in the stream and their heads.
  struct EarlierTasks {
    /// Stream positions of the tasks with a committed path, `ctx.task` left out, in stream
    /// order.
    std::vector<int64_t> positions;
    /// Each one's committed head, by stream position.
    std::map<int64_t, std::shared_ptr<const Component>> heads;
  };
  /// The tasks of `ctx.stream` learned before; raises `std::logic_error` when the context
  /// carries no stream.
  static EarlierTasks earlier_tasks(const RunState& state, const TaskContext& ctx);
  /// The seed of a visit's own draws (replayed examples), from the run seed, task and visit.
  static uint64_t visit_seed(const TaskContext& ctx);
  /// The recipe the options' learning rate, schedule, warmup and momentum give.
  static TrainRecipe recipe_of(const SharedBackboneOptions& o);
  /// The optimizer the options' keys describe.
  static OptimizerOptions optimizer_of(const SharedBackboneOptions& o);
  /// The seed of a visit's fresh head under `head_init = "uniform"`; none under "zeros".
  static std::optional<uint64_t> head_seed(const SharedBackboneOptions& o, const TaskContext& ctx);

 protected:
  /// What a visit's training minimises; the default (null) is cross-entropy.
  virtual std::shared_ptr<const Objective> objective(const RunState& state,
                                                     const TaskContext& ctx) const;
  /// What a visit commits besides its path, computed from the path it trained (`trained`: its
  /// components in path order); the default is nothing. EWC adds its Fisher information here.
  virtual std::vector<Component> commit_with(const RunState& state, const TaskContext& ctx,
                                             const std::vector<Component>& trained) const;

  /// The recipe every visit's path trains with: the options' learning rate, schedule,
  /// warmup and momentum.
  TrainRecipe recipe() const { return recipe_of(shared_options()); }
  const SharedBackboneOptions& shared_options() const {
    return env_.options_as<SharedBackboneOptions>();
  }
};

}  // namespace evostream::model
