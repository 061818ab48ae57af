#pragma once

#include <string>

#include "model/strategies/lwf/lwf_options.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

/// Learning without forgetting on the shared backbone: each task trains its cross-entropy plus
/// the distillation of the previous model's outputs for every other task's head on the new
/// task's images (`LwfDistillation`). The previous model is the backbone of the last commit,
/// kept by the store, so a resumed run needs no state of its own.
class LwfStrategy : public SharedBackboneStrategy {
 public:
  explicit LwfStrategy(StrategyEnvironment env);
  std::string name() const override { return "lwf"; }

 protected:
  std::shared_ptr<const Objective> objective(const RunState& state,
                                             const TaskContext& ctx) const override;

 private:
  const LwfOptions& options() const { return env_.options_as<LwfOptions>(); }
};

}  // namespace evostream::model
