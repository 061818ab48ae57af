#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/strategies/path_draft.hpp"
#include "model/strategies/strategy.hpp"
#include "model/strategies/supsup/supsup_options.hpp"

namespace evostream::model {

/// SupSup: each task learns one supermask per layer on a frozen random backbone (the
/// masked-fc or masked-vit family) by edge-popup, and serves with it.
///
/// A visit's path is the root's random layers, each followed by a fresh mask of the task
/// (the head's mask has the task's classes as rows); its scores train as one candidate for the
/// whole budget with the options' optimizer, and the best validation's masks are committed
/// bit-packed: one bit per weight. Nothing shared changes, so old tasks keep their exact
/// predictions (BWT 0).
class SupSupStrategy : public Strategy {
 public:
  explicit SupSupStrategy(StrategyEnvironment env);
  std::string name() const override { return "supsup"; }
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;

  /// Raises `std::invalid_argument` unless the environment's family is a masked one.
  static void require_masked_family(const StrategyEnvironment& env, const std::string& strategy);

 protected:
  /// Appends the root's random layers to `draft`, each followed by a fresh trainable mask of
  /// the task drawn from the visit's seed.
  /// A `variant` of 0 or more goes into the masks' ids before the visit's suffix
  /// (`TASK/mask0.3@0`) and into their seeds, for several mask sets of one visit.
  void add_masked_layers(PathDraft& draft, const RunState& state, const TaskContext& ctx,
                         int64_t variant = -1) const;
  /// The shape [rows, cols] of a task's mask on `random`: the layer's, or for the head
  /// (`head`) the task's classes as rows; raises `std::invalid_argument` when the task has more
  /// classes than the random head has outputs.
  static std::vector<int64_t> mask_shape(const Component& random, bool head,
                                         const TaskContext& ctx);
  /// The weights a top-k mask of `rows` × `cols` keeps: the options' `density` share, at least
  /// one.
  int64_t kept_at_density(int64_t rows, int64_t cols) const;
  /// A learner that trains the one candidate `path` with the options' optimizer and schedule
  /// at `learning_rate` (0: the options'), minimising `objective` (null: cross-entropy), and
  /// commits its masks packed.
  std::unique_ptr<TaskLearner> train_masks(Path path,
                                           std::vector<std::shared_ptr<const Component>> components,
                                           const RunState& state, const TaskContext& ctx,
                                           std::shared_ptr<const Objective> objective,
                                           double learning_rate = 0.0) const;
  const SupSupOptions& supsup_options() const { return env_.options_as<SupSupOptions>(); }
};

}  // namespace evostream::model
