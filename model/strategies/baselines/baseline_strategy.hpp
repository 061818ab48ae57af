#pragma once

#include <string>

#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// The independent baselines: one path per task built from the root, trained once for the
/// whole per-task budget with the default recipe; or, with `[strategy.NAME]
/// models = N`, N copies of it trained from their own seeds for a share of the budget
/// each, the best by validation committed (muNet's one model per device).
///
/// - `finetune`: every component is cloned from the root and trained, with a fresh head
///   (one independent model per task);
/// - `head-only`: a linear probe: the frozen root with a fresh head;
/// - `adapters`: the frozen root with a fresh residual adapter before every block and a fresh
///   head.
class BaselineStrategy : public Strategy {
 public:
  enum class Kind { kFinetune, kHeadOnly, kAdapters };
  /// Hidden width of the `adapters` baseline's adapters, which its paths' recipes record as the
  /// extra `kAdapterDimExtra`.
  static constexpr int64_t kAdapterDim = 32;
  static constexpr const char* kAdapterDimExtra = "adapter_dim";
  /// The baseline `env.spec.name` names ("finetune", "head-only" or "adapters"); raises
  /// `std::invalid_argument` for any other name.
  explicit BaselineStrategy(StrategyEnvironment env);
  std::string name() const override;
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;

 private:
  Kind kind_;
};

}  // namespace evostream::model
