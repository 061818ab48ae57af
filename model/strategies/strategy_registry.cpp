#include "model/strategies/strategy_registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

#include "common/config_error.hpp"
#include "model/strategies/baselines/baseline_options.hpp"
#include "model/strategies/baselines/baseline_strategy.hpp"
#include "model/strategies/cumulative/cumulative_strategy.hpp"
#include "model/strategies/ewc/ewc_options.hpp"
#include "model/strategies/ewc/ewc_strategy.hpp"
#include "model/strategies/impresslearn/impresslearn_options.hpp"
#include "model/strategies/impresslearn/impresslearn_strategy.hpp"
#include "model/strategies/joint/joint_strategy.hpp"
#include "model/strategies/lwf/lwf_options.hpp"
#include "model/strategies/lwf/lwf_strategy.hpp"
#include "model/strategies/mod_squad/mod_squad_options.hpp"
#include "model/strategies/mod_squad/mod_squad_strategy.hpp"
#include "model/strategies/mu2net/mu2net_options.hpp"
#include "model/strategies/mu2net/mu2net_strategy.hpp"
#include "model/strategies/replay/replay_options.hpp"
#include "model/strategies/replay/replay_strategy.hpp"
#include "model/strategies/sequential/sequential_strategy.hpp"
#include "model/strategies/shared_backbone/shared_backbone_options.hpp"
#include "model/strategies/supsup/supsup_options.hpp"
#include "model/strategies/supsup/supsup_strategy.hpp"

namespace evostream::model {

namespace {

template <class S>
std::unique_ptr<Strategy> make(StrategyEnvironment env) {
  return std::make_unique<S>(std::move(env));
}

}  // namespace

const StrategyRegistry& StrategyRegistry::builtin() {
  static const StrategyRegistry registry({
      {"mu2net", "µ2Net: evolve each task's path from the other tasks' paths and the root",
       &Mu2NetOptions::read, &make<Mu2NetStrategy>},
      {"finetune", "one independent model per task: the root cloned and trained whole",
       &BaselineOptions::read, &make<BaselineStrategy>},
      {"head-only", "a linear probe: the frozen root with a new head per task",
       &BaselineOptions::read, &make<BaselineStrategy>},
      {"adapters", "the frozen root with new residual adapters and a head per task",
       &BaselineOptions::read, &make<BaselineStrategy>},
      {"sequential", "naive fine-tuning of one shared backbone, task after task (forgets)",
       &SharedBackboneOptions::read, &make<SequentialStrategy>},
      {"ewc",
       "elastic weight consolidation: the shared backbone held by past tasks' Fisher information",
       &EwcOptions::read, &make<EwcStrategy>},
      {"lwf",
       "learning without forgetting: the shared backbone distilled from its previous version",
       &LwfOptions::read, &make<LwfStrategy>},
      {"replay",
       "experience replay: the shared backbone trained with a class-balanced buffer of past "
       "examples",
       &ReplayOptions::read, &make<ReplayStrategy>},
      {"cumulative", "cumulative training: the shared backbone trained on every task so far",
       &SharedBackboneOptions::read, &make<CumulativeStrategy>},
      {"joint",
       "joint training, the offline upper bound: one backbone trained once on the whole stream",
       &SharedBackboneOptions::read, &make<JointStrategy>},
      {"supsup",
       "SupSup: one supermask per task on a frozen random backbone (masked-fc, masked-vit)",
       &SupSupOptions::read,
       &make<SupSupStrategy>,
       {"masked-fc", "masked-vit"}},
      {"impresslearn",
       "ImpressLearn: later tasks combine K frozen impressions (masks) with learned coefficients",
       &ImpressLearnOptions::read,
       &make<ImpressLearnStrategy>,
       {"masked-fc", "masked-vit"}},
      {"mod-squad",
       "Mod-Squad: a mixture-of-experts ViT with task routers; later tasks add experts (moe-vit)",
       &ModSquadOptions::read,
       &make<ModSquadStrategy>,
       {"moe-vit"}},
  });
  return registry;
}

StrategyRegistry::StrategyRegistry(std::vector<StrategyEntry> entries) {
  for (auto& e : entries)
    *this = with(std::move(e));
}

StrategyRegistry StrategyRegistry::with(StrategyEntry entry) const {
  if (entry.name.empty() || entry.read_options == nullptr || entry.make == nullptr)
    throw std::invalid_argument("strategy entry: expected a name, an options reader and a maker");
  if (lookup(entry.name) != nullptr)
    throw std::invalid_argument(fmt::format("strategy \"{}\" is registered already", entry.name));
  StrategyRegistry out = *this;
  out.entries_.push_back(std::move(entry));
  return out;
}

const StrategyEntry* StrategyRegistry::lookup(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e.name == name)
      return &e;
  }
  return nullptr;
}

std::string StrategyRegistry::names() const {
  std::string out;
  for (const auto& e : entries_)
    out += (out.empty() ? "" : ", ") + e.name;
  return out;
}

const StrategyEntry& StrategyRegistry::find(const std::string& name) const {
  if (const StrategyEntry* e = lookup(name))
    return *e;
  throw std::invalid_argument(
      fmt::format("unknown strategy \"{}\" (expected one of: {})", name, names()));
}

std::shared_ptr<const StrategyOptions> StrategyRegistry::read_options(
    const config::Scenario& s) const {
  const config::StrategySpec& common = s.strategy;
  for (const auto& table : common.options) {
    const std::string name = table.prefix.substr(table.prefix.find('.') + 1);
    const StrategyEntry* entry = lookup(name);
    if (entry == nullptr) {
      throw common::ConfigError(
          table.file, table.line, table.prefix,
          fmt::format("unknown strategy \"{}\" (expected one of: {})", name, names()));
    }
    if (name != common.name) {
      config::OptionReader r(table);
      entry->read_options(r, common);
    }
  }
  const StrategyEntry* chosen = lookup(common.name);
  if (chosen == nullptr) {
    throw common::ConfigError(
        common.file, common.line, "strategy.name",
        fmt::format("unknown strategy \"{}\" (expected one of: {})", common.name, names()));
  }
  const auto& families = chosen->families;
  if (std::find(families.begin(), families.end(), s.root.architecture.family) == families.end()) {
    throw common::ConfigError(
        s.file, 0, "root.architecture.family",
        fmt::format("strategy {} expected family {}, found \"{}\"", common.name,
                    fmt::join(families, " or "), s.root.architecture.family));
  }
  if (!s.evaluation.task_labels && s.evaluation.inference == "fit" &&
      common.name != "impresslearn") {
    throw common::ConfigError(
        s.file, 0, "evaluation.inference",
        fmt::format("\"fit\" fits ImpressLearn's coefficients: expected strategy impresslearn, "
                    "found {}",
                    common.name));
  }
  const config::OptionTable table = common.options_of(common.name);
  config::OptionReader r(table);
  return chosen->read_options(r, common);
}

std::shared_ptr<const StrategyOptions> read_strategy_options(const config::Scenario& s) {
  return StrategyRegistry::builtin().read_options(s);
}

std::unique_ptr<Strategy> make_strategy(StrategyEnvironment env) {
  const auto make = env.make ? env.make : StrategyRegistry::builtin().find(env.spec.name).make;
  return make(std::move(env));
}

}  // namespace evostream::model
