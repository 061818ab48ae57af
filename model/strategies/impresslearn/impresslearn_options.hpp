#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/supsup/supsup_options.hpp"

namespace evostream::model {

/// ImpressLearn's options: the `[strategy.impresslearn]` table, SupSup's keys (for the masks
/// it learns as SupSup does) and these.
class ImpressLearnOptions : public SupSupOptions {
 public:
  /// Key `impressions`: K, the basis masks per layer every later task combines, at least 2.
  /// Default: 10.
  int64_t impressions = 10;
  /// Key `source`: where the impressions come from: "heterogeneous" (the supermasks of the
  /// first K tasks, each learned as SupSup does), "homogeneous" (K supermasks learned on the
  /// first task from K seeds, each for task_steps / K steps, which K must divide) or "random"
  /// (K seeded random masks of `density`, so every task learns only coefficients). Default:
  /// "heterogeneous".
  std::string source = "heterogeneous";
  /// Key `lambda`: weight λ of the penalty λ Σ_layers (‖α_layer‖₁ − 1)². Default: 0.005.
  double lambda = 0.005;
  /// Key `alpha_learning_rate`: the learning rate of the coefficients (with the options'
  /// optimizer and schedule; the masks keep `learning_rate`). Default: 0.02.
  double alpha_learning_rate = 0.02;

  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
