#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/shared_backbone/shared_backbone_options.hpp"

namespace evostream::model {

/// SupSup's options: the `[strategy.supsup]` table, the optimizer keys of the shared-backbone
/// strategies (with SupSup's own defaults) and these.
///
/// Defaults: `optimizer = "adam"`, `learning_rate = 0.001`, `schedule = "cosine"`,
/// `clip_norm = 0` (SupSup trains its scores with Adam at 1e-3, as in its SplitCIFAR
/// experiments); the other optimizer keys as the shared-backbone strategies.
class SupSupOptions : public SharedBackboneOptions {
 public:
  SupSupOptions() {
    optimizer = "adam";
    learning_rate = 0.001;
    clip_norm = 0.0;
  }
  /// Key `density`: share of each layer's weights a mask keeps (edge-popup's k), in (0, 1].
  /// Default: 0.5.
  double density = 0.5;
  /// Key `mask`: "topk" keeps the `density` share of largest |score| (edge-popup, SupSup's GG
  /// masks); "threshold" keeps the weights of non-negative score, with no fixed density
  /// (SupSup's MNIST masks). Default: "topk".
  std::string mask = "topk";

  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  /// Reads these keys and the optimizer's into this object, for a strategy whose table has
  /// more (it calls `r.finish()` itself).
  void read_supsup(config::OptionReader& r);
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
