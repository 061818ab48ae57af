#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "common/config_error.hpp"
#include "config/scenario_parser.hpp"
#include "model/strategies/baselines/baseline_options.hpp"
#include "model/strategies/mu2net/mu2net_options.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "support/test_files.hpp"

using Catch::Matchers::Contains;
using evostream::common::ConfigError;
using evostream::config::Scenario;
using evostream::config::ScenarioParser;
using evostream::model::BaselineOptions;
using evostream::model::Mu2NetOptions;
using evostream::model::StrategyEnvironment;
namespace model = evostream::model;

namespace {

constexpr const char* kFile = "reg.toml";

// The minimal scenario with `strategy` appended (a [strategy] table and others).
Scenario scenario_with(const std::string& strategy) {
  return ScenarioParser::parse_string(evostream::testing::minimal_scenario(strategy), kFile);
}

std::string options_error(const std::string& strategy) {
  try {
    model::read_strategy_options(scenario_with(strategy));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// The line of the first occurrence of `needle` in the minimal scenario with `strategy` appended.
int line_of(const std::string& strategy, const std::string& needle) {
  const std::string text = evostream::testing::minimal_scenario(strategy);
  const size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

}  // namespace

TEST_CASE("The registry lists every strategy once, each with a summary", "[model][strategy]") {
  std::set<std::string> names;
  const auto& registry = model::StrategyRegistry::builtin();
  for (const auto& e : registry.entries()) {
    CHECK_FALSE(e.summary.empty());
    CHECK(e.read_options != nullptr);
    CHECK(e.make != nullptr);
    CHECK(names.insert(e.name).second);
  }
  CHECK(names == std::set<std::string>{"mu2net", "finetune", "head-only", "adapters", "sequential",
                                       "ewc", "lwf", "replay", "cumulative", "joint", "supsup",
                                       "impresslearn", "mod-squad"});
  CHECK(registry.names() ==
        "mu2net, finetune, head-only, adapters, sequential, ewc, lwf, replay, cumulative, joint, "
        "supsup, "
        "impresslearn, mod-squad");
  CHECK(registry.lookup("icarl") == nullptr);
  CHECK_THROWS_WITH(
      registry.find("icarl"),
      "unknown strategy \"icarl\" (expected one of: mu2net, finetune, head-only, "
      "adapters, sequential, ewc, lwf, replay, cumulative, joint, supsup, impresslearn, "
      "mod-squad)");
}

TEST_CASE("Each registered strategy is made with its own name and plan", "[model][strategy]") {
  for (const auto& e : model::StrategyRegistry::builtin().entries()) {
    INFO(e.name);
    Scenario s = scenario_with("[strategy]\ntask_steps = 96\n");
    s.strategy.name = e.name;
    // Each on a family it runs on.
    s.root.architecture.family = e.families.front();
    const StrategyEnvironment env = StrategyEnvironment::of(s);
    const auto strategy = model::make_strategy(env);
    CHECK(strategy->name() == e.name);
    // Every step is spent: µ2Net's final candidate takes what its search leaves.
    const auto* mu2net = dynamic_cast<const Mu2NetOptions*>(env.options.get());
    const int64_t last = mu2net ? mu2net->final_steps(96) : 0;
    CHECK(strategy->candidate_steps() * (strategy->plan().candidates - (last > 0 ? 1 : 0)) + last ==
          96);
  }
}

TEST_CASE("A strategy's table sets its options and the budget is shared among candidates",
          "[model][strategy]") {
  Scenario s = scenario_with(
      "[strategy]\ntask_steps = 120\n[strategy.mu2net]\ngenerations = 2\nchildren = 3\n"
      "[strategy.adapters]\nmodels = 4\n");
  StrategyEnvironment env = StrategyEnvironment::of(s);
  CHECK(env.options_as<Mu2NetOptions>().generations == 2);
  CHECK(env.options_as<Mu2NetOptions>().children == 3);
  // Half of the 120 steps for the 2 × 3 search candidates, half for the final one.
  CHECK(env.train.steps == 10);
  CHECK_THROWS_AS(env.options_as<BaselineOptions>(), std::logic_error);
  s.strategy.name = "adapters";
  env = StrategyEnvironment::of(s);
  CHECK(env.options_as<BaselineOptions>().models == 4);
  CHECK(env.train.steps == 30);
  // A baseline without a table of its own trains one model on the whole budget.
  s.strategy.name = "finetune";
  env = StrategyEnvironment::of(s);
  CHECK(env.options_as<BaselineOptions>().models == 1);
  CHECK(env.train.steps == 120);
  // The defaults: 4 generations of 4 children share half of 3200 steps.
  env = StrategyEnvironment::of(scenario_with(""));
  CHECK(env.train.steps == 100);
}

TEST_CASE("A final share leaves the search equal steps and the rest to one final candidate",
          "[model][strategy]") {
  // 100 steps: half of them (50) for 4 × 4 search candidates (3 each, 48), 52 for the final.
  Scenario s =
      scenario_with("[strategy]\ntask_steps = 100\n[strategy.mu2net]\nfinal_share = 0.5\n");
  StrategyEnvironment env = StrategyEnvironment::of(s);
  const auto& o = env.options_as<Mu2NetOptions>();
  CHECK(o.search_steps(100) == 3);
  CHECK(o.final_steps(100) == 52);
  CHECK(o.plan().generations == 5);
  CHECK(o.plan().candidates == 17);
  // Without a final share nothing changes: equal shares that must divide the budget.
  const auto plain = StrategyEnvironment::of(
      scenario_with("[strategy]\ntask_steps = 96\n[strategy.mu2net]\nfinal_share = 0\n"));
  CHECK(plain.options_as<Mu2NetOptions>().final_steps(96) == 0);
  CHECK(plain.options_as<Mu2NetOptions>().search_steps(96) == 6);
  // A share that leaves a search candidate no step is refused.
  const std::string greedy = "[strategy]\ntask_steps = 20\n[strategy.mu2net]\nfinal_share = 0.5\n";
  CHECK(options_error(greedy) ==
        std::string(kFile) + ":" + std::to_string(line_of(greedy, "final_share")) +
            ": strategy.mu2net.final_share: expected the search's share of [strategy] task_steps "
            "(20) to leave each of the 4 × 4 candidates a step, found final_share = 0.5");
  CHECK_THAT(options_error("[strategy]\n[strategy.mu2net]\nfinal_share = 1\n"),
             Contains("strategy.mu2net.final_share: expected a number in"));
}

TEST_CASE("µ2Net's patience is off by default and never negative", "[model][strategy]") {
  CHECK(StrategyEnvironment::of(scenario_with("")).options_as<Mu2NetOptions>().patience == 0);
  const auto patient =
      StrategyEnvironment::of(scenario_with("[strategy]\n[strategy.mu2net]\npatience = 2\n"));
  CHECK(patient.options_as<Mu2NetOptions>().patience == 2);
  CHECK_THAT(options_error("[strategy]\n[strategy.mu2net]\npatience = -1\n"),
             Contains("strategy.mu2net.patience: expected an integer in 0..10000, found -1"));
}

TEST_CASE("µ2Net's bottom clone probability is off by default and at most 1", "[model][strategy]") {
  CHECK(StrategyEnvironment::of(scenario_with("")).options_as<Mu2NetOptions>().bottom_clone == 0.0);
  const auto bottom =
      StrategyEnvironment::of(scenario_with("[strategy]\n[strategy.mu2net]\nbottom_clone = 0.5\n"));
  CHECK(bottom.options_as<Mu2NetOptions>().bottom_clone == 0.5);
  const std::string above = "[strategy]\n[strategy.mu2net]\nbottom_clone = 1.5\n";
  CHECK(options_error(above) ==
        std::string(kFile) + ":" + std::to_string(line_of(above, "bottom_clone")) +
            ": strategy.mu2net.bottom_clone: expected a number in [0, 1], found 1.5");
}

TEST_CASE("Keeping or continuing into the final candidate is off by default and needs one",
          "[model][strategy]") {
  const auto env = StrategyEnvironment::of(scenario_with(""));
  const auto& defaults = env.options_as<Mu2NetOptions>();
  CHECK_FALSE(defaults.keep_final);
  CHECK_FALSE(defaults.continue_schedule);
  for (const auto& [key, what] : {std::pair{"keep_final", "to keep"},
                                  std::pair{"continue_schedule", "to end the schedule"}}) {
    const std::string without = std::string("[strategy]\ntask_steps = 96\n[strategy.mu2net]\n") +
                                "final_share = 0\n" + key + " = true\n";
    CHECK(options_error(without) ==
          std::string(kFile) + ":" + std::to_string(line_of(without, key)) + ": strategy.mu2net." +
              key + ": expected a final candidate " + what +
              " (final_share > 0), found final_share = 0");
  }
}

TEST_CASE("A root that was never trained is marked so for the strategy", "[model][strategy]") {
  // The minimal scenario trains its root.
  CHECK_FALSE(StrategyEnvironment::of(scenario_with("")).untrained_root);
  Scenario s = scenario_with("");
  s.root.source = evostream::config::RootSpec::Source::kInit;
  CHECK(StrategyEnvironment::of(s).untrained_root);
}

TEST_CASE("A bad strategy table is refused naming the file, line and key", "[model][strategy]") {
  const std::string bad_children = "[strategy]\n[strategy.mu2net]\nchildren = 0\n";
  CHECK(options_error(bad_children) ==
        std::string(kFile) + ":" + std::to_string(line_of(bad_children, "children = 0")) +
            ": strategy.mu2net.children: expected an integer in 1..1024, found 0");
  const std::string typo = "[strategy]\n[strategy.mu2net]\ngenerations = 2\nchildrens = 2\n";
  CHECK(options_error(typo) ==
        std::string(kFile) + ":" + std::to_string(line_of(typo, "childrens")) +
            ": strategy.mu2net.childrens: unknown key (expected one of: bottom_clone, children, "
            "clone_untrained_root, continue_schedule, final_share, generations, keep_final, "
            "patience)");
  // Tables of the strategies not chosen are checked too.
  const std::string other = "[strategy]\n[strategy.finetune]\nmodels = 0\n";
  CHECK_THAT(options_error(other),
             Contains("strategy.finetune.models: expected an integer in 1..1024, found 0"));
  const std::string shared = "[strategy]\n[strategy.sequential]\nmodels = 2\n";
  CHECK_THAT(options_error(shared),
             Contains("strategy.sequential.models: unknown key (expected one of: "
                      "carry_optimizer, clip_norm, head_init, "
                      "learning_rate, momentum, optimizer, schedule, warmup_ratio, "
                      "weight_decay)"));
  const std::string schedule = "[strategy]\n[strategy.ewc]\nschedule = \"linear\"\n";
  CHECK_THAT(options_error(schedule), Contains("strategy.ewc.schedule: expected one of"));
  // A decay belongs to online EWC only.
  const std::string decay = "[strategy]\n[strategy.ewc]\ndecay = 0.5\n";
  CHECK_THAT(options_error(decay),
             Contains("strategy.ewc.decay: expected only with mode = \"online\", found mode = "
                      "\"separate\""));
  const std::string init = "[strategy]\n[strategy.replay]\nhead_init = \"normal\"\n";
  CHECK_THAT(options_error(init), Contains("strategy.replay.head_init: expected one of"));
  const std::string temperature = "[strategy]\n[strategy.lwf]\ntemperature = 0\n";
  CHECK_THAT(options_error(temperature), Contains("strategy.lwf.temperature: expected"));
}

TEST_CASE("An unregistered strategy name or table lists the registered ones", "[model][strategy]") {
  const std::string name = "[strategy]\nname = \"icarl\"\n";
  CHECK(options_error(name) ==
        std::string(kFile) + ":" + std::to_string(line_of(name, "[strategy]")) +
            ": strategy.name: unknown strategy \"icarl\" (expected one of: mu2net, finetune, "
            "head-only, adapters, sequential, ewc, lwf, replay, cumulative, joint, supsup, "
            "impresslearn, "
            "mod-squad)");
  const std::string table = "[strategy]\n[strategy.mu2nett]\ngenerations = 2\n";
  CHECK(
      options_error(table) ==
      std::string(kFile) + ":" + std::to_string(line_of(table, "[strategy.mu2nett]")) +
          ": strategy.mu2nett: unknown strategy \"mu2nett\" (expected one of: mu2net, "
          "finetune, head-only, adapters, sequential, ewc, lwf, replay, cumulative, joint, supsup, "
          "impresslearn, mod-squad)");
}

TEST_CASE("A budget the candidates cannot share equally is refused", "[model][strategy]") {
  const std::string mu2net =
      "[strategy]\ntask_steps = 100\n[strategy.mu2net]\nfinal_share = 0\nchildren = 3\n";
  CHECK(options_error(mu2net) ==
        std::string(kFile) + ":" + std::to_string(line_of(mu2net, "children = 3")) +
            ": strategy.mu2net.children: expected generations × children to divide [strategy] "
            "task_steps (100), found 4 × 3 = 12");
  // Without children or generations in the table the error points at generations.
  const std::string bare = "[strategy]\ntask_steps = 100\n[strategy.mu2net]\nfinal_share = 0\n";
  CHECK_THAT(options_error(bare), Contains(": strategy.mu2net.generations: expected generations × "
                                           "children to divide [strategy] task_steps (100), found "
                                           "4 × 4 = 16"));
  // With the default final share, the search's half needs no dividing.
  CHECK(options_error("[strategy]\ntask_steps = 100\n") == "(no error)");
  const std::string models = "[strategy]\ntask_steps = 100\n[strategy.head-only]\nmodels = 3\n";
  CHECK_THAT(options_error(models),
             Contains("strategy.head-only.models: expected a divisor of [strategy] task_steps "
                      "(100), found 3"));
}

TEST_CASE("A registry is extended without changing it, and refuses a name twice",
          "[model][strategy]") {
  const auto& builtin = model::StrategyRegistry::builtin();
  const model::StrategyEntry copy{"mu2net-again", "the same under another name",
                                  builtin.find("mu2net").read_options, builtin.find("mu2net").make};
  const model::StrategyRegistry more = builtin.with(copy);
  CHECK(more.entries().size() == builtin.entries().size() + 1);
  CHECK(builtin.lookup("mu2net-again") == nullptr);
  CHECK_THROWS_WITH(more.with(copy), "strategy \"mu2net-again\" is registered already");
  model::StrategyEntry nameless = copy;
  nameless.name.clear();
  CHECK_THROWS_WITH(builtin.with(nameless),
                    "strategy entry: expected a name, an options reader and a maker");
  // A scenario naming the new strategy is read through the registry that has it.
  Scenario s = scenario_with(
      "[strategy]\nname = \"mu2net-again\"\n[strategy.mu2net-again]\n"
      "generations = 2\n");
  CHECK_THROWS_AS(model::read_strategy_options(s), ConfigError);
  const StrategyEnvironment env = StrategyEnvironment::of(s, nullptr, more);
  CHECK(env.options_as<Mu2NetOptions>().generations == 2);
  CHECK(model::make_strategy(env)->plan().candidates == 9);
}

TEST_CASE("Every shipped scenario parses, with every strategy table it holds",
          "[model][strategy]") {
  int scenarios = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(EVOSTREAM_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".toml")
      continue;
    INFO(entry.path().string());
    Scenario s = ScenarioParser::parse_file(entry.path().string());
    CHECK_NOTHROW(model::read_strategy_options(s));
    for (const auto& table : s.strategy.options) {
      s.strategy.name = table.prefix.substr(table.prefix.find('.') + 1);
      CHECK_NOTHROW(model::read_strategy_options(s));
    }
    ++scenarios;
  }
  CHECK(scenarios >= 8);
}
