#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/shared_backbone/shared_backbone_options.hpp"

namespace evostream::model {

/// Mod-Squad's options: the `[strategy.mod-squad]` table, the optimizer keys of the
/// shared-backbone strategies (with Mod-Squad's own defaults) and these.
///
/// Defaults: `optimizer = "adam"` with `weight_decay = 0.05` (AdamW, as Mod-Squad trains),
/// `learning_rate = 0.001`, `schedule = "cosine"`; the other optimizer keys as the
/// shared-backbone strategies.
class ModSquadOptions : public SharedBackboneOptions {
 public:
  ModSquadOptions() {
    optimizer = "adam";
    learning_rate = 0.001;
    weight_decay = 0.05;
  }
  /// Key `mode`: "continual" (tasks learned one at a time, nothing an earlier task owns
  /// changes) or "joint" (every task of the stream trained at once at the first visit:
  /// Mod-Squad as published, the multi-task upper bound). Default: "continual".
  std::string mode = "continual";
  /// Key `new_experts`: experts each task after the first adds to every mixture, MLP or
  /// attention (they train; the earlier tasks' stay frozen). 0 adds none: a later task then learns
  /// only its router, task embedding and head. Default: 2.
  int64_t new_experts = 2;
  /// Key `w_mi`: weight of the −MI(task; expert) term of each MoE block in the loss. Default:
  /// 0.005.
  double w_mi = 0.005;
  /// Key `usage_images`: training images a committed task's expert usage is measured on.
  /// Default: 2048.
  int64_t usage_images = 2048;

  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
