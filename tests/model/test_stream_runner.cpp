#include <catch2/catch.hpp>

#include "model/root_trainer.hpp"
#include "model/stream_runner.hpp"
#include "streams/scenario_parser.hpp"
#include "streams/task_builder.hpp"

using namespace evostream;
using namespace evostream::model;

namespace {

// The smoke scenario (three synthetic tasks, micro ViT), its tasks and its trained root.
struct Smoke {
  streams::Scenario scenario;
  std::vector<streams::TaskData> tasks;
  std::vector<Component> root;

  Smoke() {
    scenario = streams::ScenarioParser::parse_file(std::string(EVOSTREAM_SOURCE_DIR) +
                                                   "/configs/smoke.toml");
    streams::TaskBuilder builder(scenario);
    tasks = builder.build_all();
    root = RootTrainer(scenario.root).train(builder.build(*scenario.root.pretrain), 1);
  }

  RunResults run(const std::string& strategy, uint64_t seed = 1, int64_t iterations = 1) {
    streams::Scenario s = scenario;
    s.seed = seed;
    s.strategy.iterations = iterations;
    StrategyEnvironment env = StrategyEnvironment::of(s, std::make_shared<PrefixCache>());
    auto st = make_strategy(strategy, env);
    StreamRunner runner(s, *st, root);
    return runner.run(tasks);
  }
};

Smoke& smoke() {
  static Smoke s;
  return s;
}

}  // namespace

TEST_CASE("mu2net keeps every earlier task's predictions bit-identical", "[model][run]") {
  const RunResults r = smoke().run("mu2net");
  REQUIRE(r.tasks.size() == 3);
  CHECK(r.matrix.rows() == 3);
  CHECK(r.bwt == 0.0);
  CHECK(r.forgetting == 0.0);
  CHECK(r.max_forgetting == 0.0);
  for (const auto& t : r.tasks) {
    INFO(t.name);
    CHECK(t.predictions_identical);
    CHECK(t.candidates == 4);  // 2 generations x 2 children
    CHECK(t.test_accuracy == t.accuracy_after_learning);
    CHECK(t.inference_flops > 0);
    CHECK(t.accounted_params > 0);
  }
  CHECK(r.average_accuracy > 0.5);
}

TEST_CASE("The immutable baselines have zero BWT and the expected parameters", "[model][run]") {
  const double root = smoke().run("head-only").root_params;
  for (const char* name : {"finetune", "head-only", "adapters"}) {
    INFO(name);
    const RunResults r = smoke().run(name);
    CHECK(r.strategy == name);
    CHECK(r.bwt == 0.0);
    for (const auto& t : r.tasks) {
      CHECK(t.predictions_identical);
      CHECK(t.candidates == 1);
      const int64_t head = 16 * t.classes + t.classes;
      if (std::string(name) == "head-only")
        CHECK(t.params_added == head);
      if (std::string(name) == "finetune")
        CHECK(t.params_added == static_cast<int64_t>(root) + head);
      if (std::string(name) == "adapters")
        CHECK(t.params_added > head);
    }
  }
}

TEST_CASE("Sequential fine-tuning forgets", "[model][run]") {
  const RunResults r = smoke().run("sequential");
  CHECK(r.bwt < 0.0);
  CHECK(r.forgetting == Approx(-r.bwt));
  CHECK_FALSE(r.tasks[0].predictions_identical);
  // One backbone serves every task: the total is a backbone plus three heads.
  int64_t heads = 0;
  for (const auto& t : r.tasks)
    heads += 16 * t.classes + t.classes;
  CHECK(r.total_params == static_cast<int64_t>(r.root_params) + heads);
}

TEST_CASE("A run is reproducible from its seed", "[model][run]") {
  const RunResults a = smoke().run("mu2net", 7);
  const RunResults b = smoke().run("mu2net", 7);
  CHECK(a.store_hash == b.store_hash);
  CHECK(a.average_accuracy == b.average_accuracy);
  const RunResults c = smoke().run("mu2net", 8);
  CHECK(c.store_hash != a.store_hash);
}

TEST_CASE("Task iterations revisit every task and add rows to the matrix", "[model][run]") {
  const RunResults r = smoke().run("mu2net", 1, 2);
  CHECK(r.matrix.rows() == 6);
  CHECK(r.matrix.learned(3) == 0);
  for (const auto& t : r.tasks)
    CHECK(t.candidates == 8);
}

TEST_CASE("An unknown strategy is refused with the list of names", "[model][run]") {
  CHECK_THROWS_WITH(make_strategy("ewc", StrategyEnvironment{}),
                    Catch::Contains("unknown strategy \"ewc\": expected mu2net, finetune"));
}
