#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/option_reader.hpp"
#include "config/scenario.hpp"

namespace evostream::model {

/// How many generations and candidates one task visit trains.
struct VisitPlan {
  int64_t generations = 1;
  int64_t candidates = 1;
};

/// A strategy's own options: what its `[strategy.NAME]` table set, with the defaults for the
/// rest.
///
/// Each strategy has one such struct in its folder, read from its table by a function the
/// registry names (`StrategyEntry::read_options`). Options hold no Torch types, so reading and
/// checking a scenario never needs a model.
class StrategyOptions {
 public:
  virtual ~StrategyOptions() = default;
  /// Generations and candidates one task visit trains; each candidate trains for an equal share
  /// of `[strategy] task_steps`, which the options check it divides.
  virtual VisitPlan plan() const = 0;
  /// Steps of a candidate that does not set its own, out of `task_steps`: an equal share among
  /// `plan().candidates`.
  virtual int64_t candidate_steps(int64_t task_steps) const {
    return task_steps / plan().candidates;
  }
  /// The options as (key, value) pairs in key order, for `evostream tasks` and the run's start
  /// event.
  virtual std::vector<std::pair<std::string, std::string>> values() const = 0;
};

/// The options of a strategy that takes none and trains one candidate per visit.
class NoOptions : public StrategyOptions {
 public:
  /// Reads an empty table: any key is an error.
  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  VisitPlan plan() const override { return {1, 1}; }
  std::vector<std::pair<std::string, std::string>> values() const override { return {}; }
};

}  // namespace evostream::model
