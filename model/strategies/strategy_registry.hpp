#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/strategies/strategy.hpp"
#include "model/strategies/strategy_options.hpp"
#include "streams/scenario.hpp"

namespace evostream::model {

/// One registered strategy: its name, what it does, how its options are read and how it is
/// made.
struct StrategyEntry {
  /// The name scenarios, `run --strategy` and results use, e.g. "mu2net".
  std::string name;
  /// One line for `--help` and `evostream strategies`.
  std::string summary;
  /// Reads the strategy's `[strategy.NAME]` table (all defaults when the scenario has none)
  /// and checks it against the budget every strategy shares.
  std::shared_ptr<const StrategyOptions> (*read_options)(streams::OptionReader& reader,
                                                         const streams::StrategySpec& common);
  /// Makes the strategy for an environment whose options this entry read.
  std::unique_ptr<Strategy> (*make)(StrategyEnvironment env);
};

/// Every registered strategy, in the order `--help` lists them.
///
/// Adding a strategy is one folder under `model/strategies/` and one entry in
/// `strategy_registry.cpp` (`docs/adding-a-strategy.md`).
const std::vector<StrategyEntry>& strategy_registry();

/// The entry called `name`; raises `std::invalid_argument` listing the registered names for
/// any other.
const StrategyEntry& find_strategy(const std::string& name);

/// The registered names, comma-separated, for messages and `--help`.
std::string strategy_names();

/// The options of `scenario`'s strategy, read from its table; first checks every
/// `[strategy.NAME]` table of the scenario (an unregistered NAME, or a bad key in any of them,
/// raises a `streams::ConfigError`), and that the strategy's name is registered.
std::shared_ptr<const StrategyOptions> read_strategy_options(const streams::Scenario& scenario);

/// Makes the strategy an environment was built for (`StrategyEnvironment::of`).
std::unique_ptr<Strategy> make_strategy(StrategyEnvironment env);

}  // namespace evostream::model
