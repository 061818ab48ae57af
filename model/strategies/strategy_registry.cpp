#include "model/strategies/strategy_registry.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "model/strategies/baselines/baseline_options.hpp"
#include "model/strategies/baselines/baseline_strategy.hpp"
#include "model/strategies/mu2net/mu2net_options.hpp"
#include "model/strategies/mu2net/mu2net_strategy.hpp"
#include "model/strategies/sequential/sequential_strategy.hpp"
#include "streams/config_error.hpp"

namespace evostream::model {

namespace {

template <class S>
std::unique_ptr<Strategy> make(StrategyEnvironment env) {
  return std::make_unique<S>(std::move(env));
}

}  // namespace

const std::vector<StrategyEntry>& strategy_registry() {
  static const std::vector<StrategyEntry> entries = {
      {"mu2net", "µ2Net: evolve each task's path from the other tasks' paths and the root",
       &Mu2NetOptions::read, &make<Mu2NetStrategy>},
      {"finetune", "one independent model per task: the root cloned and trained whole",
       &BaselineOptions::read, &make<BaselineStrategy>},
      {"head-only", "a linear probe: the frozen root with a new head per task",
       &BaselineOptions::read, &make<BaselineStrategy>},
      {"adapters", "the frozen root with new residual adapters and a head per task",
       &BaselineOptions::read, &make<BaselineStrategy>},
      {"sequential", "naive fine-tuning of one shared backbone, task after task (forgets)",
       &NoOptions::read, &make<SequentialStrategy>},
  };
  return entries;
}

std::string strategy_names() {
  std::string out;
  for (const auto& e : strategy_registry())
    out += (out.empty() ? "" : ", ") + e.name;
  return out;
}

const StrategyEntry& find_strategy(const std::string& name) {
  for (const auto& e : strategy_registry()) {
    if (e.name == name)
      return e;
  }
  throw std::invalid_argument(
      fmt::format("unknown strategy \"{}\" (expected one of: {})", name, strategy_names()));
}

std::shared_ptr<const StrategyOptions> read_strategy_options(const streams::Scenario& s) {
  const streams::StrategySpec& common = s.strategy;
  for (const auto& table : common.options) {
    const std::string name = table.prefix.substr(table.prefix.find('.') + 1);
    const StrategyEntry* entry = nullptr;
    for (const auto& e : strategy_registry())
      entry = e.name == name ? &e : entry;
    if (entry == nullptr) {
      throw streams::ConfigError(
          table.file, table.line, table.prefix,
          fmt::format("unknown strategy \"{}\" (expected one of: {})", name, strategy_names()));
    }
    if (name != common.name) {
      streams::OptionReader r(table);
      entry->read_options(r, common);
    }
  }
  const StrategyEntry* chosen = nullptr;
  for (const auto& e : strategy_registry())
    chosen = e.name == common.name ? &e : chosen;
  if (chosen == nullptr) {
    throw streams::ConfigError(common.file, common.line, "strategy.name",
                               fmt::format("unknown strategy \"{}\" (expected one of: {})",
                                           common.name, strategy_names()));
  }
  const streams::OptionTable table = common.options_of(common.name);
  streams::OptionReader r(table);
  return chosen->read_options(r, common);
}

std::unique_ptr<Strategy> make_strategy(StrategyEnvironment env) {
  const StrategyEntry& e = find_strategy(env.spec.name);
  return e.make(std::move(env));
}

}  // namespace evostream::model
