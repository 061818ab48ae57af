#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/strategies/impresslearn/impresslearn_options.hpp"
#include "model/strategies/supsup/supsup_strategy.hpp"

namespace evostream::model {

/// ImpressLearn: later tasks combine K frozen basis masks ("impressions") per layer with K
/// learned coefficients, `W ⊙ Σ_i α_i M_i`, on SupSup's random backbone.
///
/// With `source = "heterogeneous"` the first K tasks learn their masks as SupSup does and
/// become the impressions; with "homogeneous" the first task learns K mask sets from K seeds
/// (each for task_steps / K steps), commits them all and serves with coefficients one-hot on
/// its best; with "random" the first task commits K seeded random masks per layer. Once a task has
/// committed coefficients, the impressions are fixed: every later task combines those same masks
/// (taken from the first such path), learning only its coefficients, initialised at 1/K and trained
/// with cross-entropy + λ Σ_layers (‖α_layer‖₁ − 1)² (the authors' code). A task's own parameters
/// are then layers × K floats.
class ImpressLearnStrategy : public SupSupStrategy {
 public:
  explicit ImpressLearnStrategy(StrategyEnvironment env) : SupSupStrategy(std::move(env)) {}
  std::string name() const override { return "impresslearn"; }
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;

  /// The impressions of each layer a new task would combine, in path order, or none while
  /// fewer than K tasks have learned masks (heterogeneous).
  std::vector<std::vector<std::shared_ptr<const Component>>> impressions(
      const RunState& state, const std::string& task) const;

 private:
  /// The first task with homogeneous impressions: K mask sets from K seeds.
  std::unique_ptr<TaskLearner> homogeneous_visit(const RunState& state,
                                                 const TaskContext& ctx) const;
  const ImpressLearnOptions& options() const { return env_.options_as<ImpressLearnOptions>(); }
};

}  // namespace evostream::model
