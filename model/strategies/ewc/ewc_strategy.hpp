#pragma once

#include <string>

#include "model/strategies/ewc/ewc_options.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

/// Elastic weight consolidation on the shared backbone (Kirkpatrick et al.; Avalanche's EWC).
///
/// After a task is learned, the diagonal Fisher information of its path on its training data
/// is computed (`diagonal_fisher`) and committed with the task, one component per backbone
/// component (id: the anchor's id + ".fisher"), so snapshots keep it and a resumed run finds it.
/// Training a later task minimises its cross-entropy plus λ Σ F (θ − θ*)²: in separate mode
/// against every other task's committed backbone and Fisher, in online mode against the
/// latest commit's backbone and running Fisher (decay × the previous + the new).
class EwcStrategy : public SharedBackboneStrategy {
 public:
  explicit EwcStrategy(StrategyEnvironment env);
  std::string name() const override { return "ewc"; }

  /// The id of the Fisher information of committed component `id`.
  static std::string fisher_id(const std::string& id) { return id + ".fisher"; }

 protected:
  std::shared_ptr<const Objective> objective(const RunState& state,
                                             const TaskContext& ctx) const override;
  std::vector<Component> commit_with(const RunState& state, const TaskContext& ctx,
                                     const std::vector<Component>& trained) const override;

 private:
  const EwcOptions& options() const { return env_.options_as<EwcOptions>(); }
};

}  // namespace evostream::model
