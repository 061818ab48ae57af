#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/shared_backbone/shared_backbone_options.hpp"

namespace evostream::model {

/// LwF's options: the `[strategy.lwf]` table, the shared-backbone keys and these.
class LwfOptions : public SharedBackboneOptions {
 public:
  /// Key `alpha`: weight of the distillation term in the loss. Default: 1.
  double alpha = 1.0;
  /// Key `temperature`: softmax temperature of the distillation. Default: 2.
  double temperature = 2.0;

  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
