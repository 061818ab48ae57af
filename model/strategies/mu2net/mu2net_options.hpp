#pragma once

#include <cstdint>
#include <memory>

#include "model/strategies/strategy_options.hpp"

namespace evostream::model {

/// µ2Net's options: the `[strategy.mu2net]` table.
///
/// A task visit trains `generations` × `children` candidates, each for an equal share of
/// `[strategy] task_steps`.
class Mu2NetOptions : public StrategyOptions {
 public:
  /// Key `generations`: evolutionary generations per task visit. Default: 4.
  int64_t generations = 4;
  /// Key `children`: candidates per generation. Default: 4.
  int64_t children = 4;

  /// Reads the table; generations × children must divide `common.task_steps`.
  static std::shared_ptr<const StrategyOptions> read(streams::OptionReader& r,
                                                     const streams::StrategySpec& common);
  VisitPlan plan() const override { return {generations, generations * children}; }
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
