#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/shared_backbone/shared_backbone_options.hpp"

namespace evostream::model {

/// EWC's options: the `[strategy.ewc]` table, the shared-backbone keys and these.
class EwcOptions : public SharedBackboneOptions {
 public:
  /// Key `lambda`: weight of the penalty λ Σ F (θ − θ*)² in the loss (no ½, as in Avalanche).
  /// Default: 1000.
  double lambda = 1000.0;
  /// Key `mode`: "separate" keeps one Fisher and anchor per past task and sums their
  /// penalties; "online" keeps one running Fisher, decay × the previous one + the new task's,
  /// anchored at the latest backbone. Default: "separate".
  std::string mode = "separate";
  /// Key `decay`: the running Fisher's decay; only with mode = "online". Default: 1.
  double decay = 1.0;

  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
