#pragma once

#include <cstdint>
#include <memory>

#include "model/strategies/strategy_options.hpp"

namespace evostream::model {

/// The independent baselines' options: the `[strategy.finetune]`, `[strategy.head-only]` and
/// `[strategy.adapters]` tables.
class BaselineOptions : public StrategyOptions {
 public:
  /// Key `models`: independent models trained per task, each for an equal share of
  /// `[strategy] task_steps` (which it must divide) from its own seed, the best by validation
  /// kept. muNet's baselines train one model per device this way; 1 trains a single model for
  /// the whole budget. Default: 1.
  int64_t models = 1;

  /// Reads the table; `models` must divide `common.task_steps`.
  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  VisitPlan plan() const override { return {1, models}; }
  std::vector<std::pair<std::string, std::string>> values() const override {
    return {{"models", std::to_string(models)}};
  }
};

}  // namespace evostream::model
