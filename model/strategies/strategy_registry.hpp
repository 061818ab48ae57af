#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/strategies/strategy.hpp"
#include "model/strategies/strategy_options.hpp"

namespace evostream::model {

/// One registered strategy: its name, what it does, how its options are read and how it is
/// made.
struct StrategyEntry {
  /// The name scenarios, `run --strategy` and results use, e.g. "mu2net".
  std::string name;
  /// One line for `run --help`.
  std::string summary;
  /// Reads the strategy's `[strategy.NAME]` table (all defaults when the scenario has none)
  /// and checks it against the budget every strategy shares.
  std::shared_ptr<const StrategyOptions> (*read_options)(config::OptionReader& reader,
                                                         const config::StrategySpec& common);
  /// Makes the strategy for an environment whose options this entry read.
  std::unique_ptr<Strategy> (*make)(StrategyEnvironment env);
  /// The model families (`[root.architecture] family`) it runs on. Default: the ViT.
  std::vector<std::string> families = {"vit"};
};

/// The strategies a run can use, by name.
///
/// `builtin()` holds the strategies of `model/strategies/`, one entry each in
/// `strategy_registry.cpp`: adding a strategy is one folder there and one entry
/// (`docs/adding-a-strategy.md`). `with` extends a registry without changing it (tests do).
class StrategyRegistry {
 public:
  explicit StrategyRegistry(std::vector<StrategyEntry> entries);

  /// The strategies shipped with evostream, in the order `--help` lists them.
  static const StrategyRegistry& builtin();

  /// This registry and `entry` after it; raises `std::invalid_argument` when its name is taken.
  StrategyRegistry with(StrategyEntry entry) const;

  const std::vector<StrategyEntry>& entries() const { return entries_; }
  /// The entry called `name`, or nullptr.
  const StrategyEntry* lookup(const std::string& name) const;
  /// The entry called `name`; raises `std::invalid_argument` listing the names for any other.
  const StrategyEntry& find(const std::string& name) const;
  /// The names, comma-separated, for messages and `--help`.
  std::string names() const;

  /// The options of `scenario`'s strategy, read from its table. First checks every
  /// `[strategy.NAME]` table of the scenario (an unregistered NAME, or a bad key in any of
  /// them, raises a `common::ConfigError` naming file, line and key) and that the strategy's
  /// name is registered.
  std::shared_ptr<const StrategyOptions> read_options(const config::Scenario& scenario) const;

 private:
  std::vector<StrategyEntry> entries_;
};

/// The built-in registry's `read_options`.
std::shared_ptr<const StrategyOptions> read_strategy_options(const config::Scenario& scenario);

/// Makes the strategy an environment was built for (`StrategyEnvironment::of`), through the
/// registry that built it; an environment made by hand is looked up by name in the built-in
/// registry.
std::unique_ptr<Strategy> make_strategy(StrategyEnvironment env);

}  // namespace evostream::model
