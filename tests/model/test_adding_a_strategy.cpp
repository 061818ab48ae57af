// A strategy added exactly as docs/adding-a-strategy.md says, from the code blocks of that
// document (the first test checks that each of them appears here verbatim), run on the smoke
// stream through the same runner, options reader and metrics as the shipped strategies.

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "common/config_error.hpp"
#include "config/option_reader.hpp"
#include "config/scenario_parser.hpp"
#include "model/core/component.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/run/stream_runner.hpp"
#include "model/strategies/path_draft.hpp"
#include "model/strategies/strategy.hpp"
#include "model/strategies/strategy_options.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/root_trainer.hpp"
#include "model_fixtures.hpp"
#include "streams/task_builder.hpp"

using namespace evostream;
using namespace evostream::model;

namespace {

// -- Step 1: the options (model/strategies/top_blocks/top_blocks_options.hpp) ----------------

/// The `[strategy.top-blocks]` table.
class TopBlocksOptions : public StrategyOptions {
 public:
  /// Key `blocks`: how many of the root's last blocks each task clones and trains. Default: 1.
  int64_t blocks = 1;

  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec&) {
    auto o = std::make_shared<TopBlocksOptions>();
    o->blocks = r.integer("blocks", o->blocks, 1, 64);
    r.finish();
    return o;
  }
  VisitPlan plan() const override { return {1, 1}; }
  std::vector<std::pair<std::string, std::string>> values() const override {
    return {{"blocks", std::to_string(blocks)}};
  }
};

// -- Step 2: the strategy (model/strategies/top_blocks/top_blocks_strategy.hpp) ---------------

/// Fine-tunes the root's last `blocks` blocks with a new head for each task.
class TopBlocksStrategy : public Strategy {
 public:
  explicit TopBlocksStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {}
  std::string name() const override { return "top-blocks"; }

  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override {
    const int64_t from = env_.architecture.depth - env_.options_as<TopBlocksOptions>().blocks;
    PathDraft draft(ctx);  // named TASK@ITERATION, new components owned by the task
    for (const auto& c : state.store.resolve(state.root.ids)) {
      if (c->kind() == ComponentKind::kHead)
        continue;
      if (c->kind() == ComponentKind::kBlock && c->index() >= from)
        draft.add_clone(*c);  // trains
      else
        draft.add(c);  // frozen, shared with the root
    }
    draft.add_head(env_.architecture.dim);
    return train_once(std::move(draft.path()), std::move(draft.components()), state, ctx);
  }
};

// -- Step 3: the registry entry (model/strategies/strategy_registry.cpp) ----------------------

template <class S>
std::unique_ptr<Strategy> make(StrategyEnvironment env) {
  return std::make_unique<S>(std::move(env));
}

const StrategyRegistry& registry() {
  static const StrategyRegistry r = StrategyRegistry::builtin().with(
      {"top-blocks", "the root's last blocks fine-tuned with a new head per task",
       &TopBlocksOptions::read, &make<TopBlocksStrategy>});
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Text without its whitespace, so that indentation and line breaks do not count.
std::string squeezed(const std::string& text) {
  return std::regex_replace(text, std::regex("\\s+"), "");
}

}  // namespace

TEST_CASE("Every code block of docs/adding-a-strategy.md is the code this test runs",
          "[model][strategy][docs]") {
  const std::string doc = slurp(std::string(EVOSTREAM_SOURCE_DIR) + "/docs/adding-a-strategy.md");
  const std::string self = squeezed(slurp(__FILE__));
  const std::regex block("```cpp\n([\\s\\S]*?)```");
  int blocks = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), block); it != std::sregex_iterator();
       ++it) {
    const std::string code = squeezed((*it)[1].str());
    INFO(code);
    CHECK(self.find(code) != std::string::npos);
    ++blocks;
  }
  CHECK(blocks == 3);
}

TEST_CASE("A strategy added as the documentation says runs a stream like the shipped ones",
          "[model][strategy][docs]") {
  const evostream::testing::SmokeStream smoke;
  config::Scenario s = smoke.scenario;
  s.strategy.name = "top-blocks";
  s.strategy.set_option("top-blocks", "blocks", int64_t{1});
  const StrategyEnvironment env = StrategyEnvironment::of(s, nullptr, registry());
  auto strategy = make_strategy(env);
  CHECK(strategy->name() == "top-blocks");
  CHECK(strategy->candidate_steps() == s.strategy.task_steps);
  StreamRunner runner(s, *strategy, smoke.root);
  const RunResults r = runner.run(*smoke.tasks);
  CHECK(r.strategy == "top-blocks");
  CHECK(r.bwt == 0.0);
  REQUIRE(r.tasks.size() == 3);
  int64_t block = 0;  // parameters of the root's last block
  for (const auto& c : smoke.root) {
    if (c.kind() == ComponentKind::kBlock && c.index() == s.root.architecture.depth - 1)
      block = c.num_params();
  }
  REQUIRE(block > 0);
  for (const auto& t : r.tasks) {
    INFO(t.name);
    CHECK(t.candidates == 1);
    CHECK(t.predictions_identical);
    CHECK(t.params_added == block + 16 * t.classes + t.classes);  // the block and a new head
  }
  // Its table is checked like any other, and the built-in registry does not know it.
  s.strategy.set_option("top-blocks", "blocks", int64_t{0});
  CHECK_THROWS_WITH(StrategyEnvironment::of(s, nullptr, registry()),
                    Catch::Contains("strategy.top-blocks.blocks: expected an integer in 1..64, "
                                    "found 0"));
  CHECK_THROWS_WITH(StrategyEnvironment::of(s),
                    Catch::Contains("unknown strategy \"top-blocks\" (expected one of: mu2net"));
}
