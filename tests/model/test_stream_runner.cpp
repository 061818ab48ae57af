#include <catch2/catch.hpp>
#include <functional>
#include <map>

#include "config/scenario_parser.hpp"
#include "model/run/stream_runner.hpp"
#include "model/strategies/joint/joint_strategy.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/fisher.hpp"
#include "model/train/root_trainer.hpp"
#include "model/train/trainer.hpp"
#include "streams/task_builder.hpp"

using namespace evostream;
using namespace evostream::model;

namespace {

// The smoke scenario (three synthetic tasks, micro ViT), its tasks and its trained root.
struct Smoke {
  config::Scenario scenario;
  std::vector<streams::TaskData> tasks;
  std::vector<Component> root;

  Smoke() {
    scenario = config::ScenarioParser::parse_file(std::string(EVOSTREAM_SOURCE_DIR) +
                                                  "/configs/smoke.toml");
    streams::TaskBuilder builder(scenario);
    tasks = builder.build_all();
    root = RootTrainer(scenario.root).train(builder.build(*scenario.root.pretrain), 1);
  }

  RunResults run(const std::string& strategy, uint64_t seed = 1, int64_t iterations = 1) {
    config::Scenario s = scenario;
    s.seed = seed;
    s.run.iterations = iterations;
    s.strategy.name = strategy;
    StrategyEnvironment env = StrategyEnvironment::of(s, std::make_shared<PrefixCache>());
    auto st = make_strategy(env);
    StreamRunner runner(s, *st, root);
    return runner.run(tasks);
  }
};

Smoke& smoke() {
  static Smoke s;
  return s;
}

// The smoke scenario with strategy `name`.
config::Scenario smoke_with(const std::string& name) {
  config::Scenario s = smoke().scenario;
  s.strategy.name = name;
  return s;
}

// The strategy scenario `s` names, with a prefix cache of its own.
std::unique_ptr<Strategy> strategy_of(const config::Scenario& s) {
  return make_strategy(StrategyEnvironment::of(s, std::make_shared<PrefixCache>()));
}

}  // namespace

TEST_CASE("mu2net keeps every earlier task's predictions bit-identical", "[model][run]") {
  const RunResults r = smoke().run("mu2net");
  REQUIRE(r.tasks.size() == 3);
  CHECK(r.matrix.rows() == 3);
  // Only the committed task is measured until the last visit, which measures every task again
  // (and checks its predictions against those it had when committed).
  CHECK(r.matrix.entries(0).size() == 1);
  CHECK(r.matrix.entries(1).size() == 1);
  CHECK(r.matrix.entries(2).size() == 3);
  CHECK(*r.matrix.at(1, 0) == *r.matrix.at(0, 0));  // carried forward
  CHECK(r.bwt == 0.0);
  CHECK(r.forgetting == 0.0);
  CHECK(r.max_forgetting == 0.0);
  for (const auto& t : r.tasks) {
    INFO(t.name);
    CHECK(t.predictions_identical);
    CHECK(t.candidates == 5);  // 2 generations x 2 children, then the final candidate
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

TEST_CASE("A baseline of N models trains each for its share and commits the best", "[model][run]") {
  config::Scenario s = smoke().scenario;
  s.strategy.name = "adapters";
  s.strategy.set_option("adapters", "models", int64_t{2});
  const int64_t budget = s.strategy.task_steps;
  StrategyEnvironment env = StrategyEnvironment::of(s, std::make_shared<PrefixCache>());
  auto st = make_strategy(env);
  CHECK(st->plan().candidates == 2);
  CHECK(st->candidate_steps() == budget / 2);
  std::map<std::string, std::vector<CandidateRecord>> records;
  RunObserver observer;
  observer.candidate_done = [&](const std::string& task, const CandidateRecord& r) {
    records[task].push_back(r);
  };
  StreamRunner runner(s, *st, smoke().root, observer);
  const RunResults r = runner.run(smoke().tasks);
  CHECK(r.bwt == 0.0);
  for (const auto& t : r.tasks) {
    INFO(t.name);
    CHECK(t.candidates == 2);
    CHECK(t.predictions_identical);
    const auto& rec = records.at(t.name);
    REQUIRE(rec.size() == 2);
    CHECK(rec[0].name == t.name + "@0.0");
    CHECK(rec[1].name == t.name + "@0.1");
    CHECK(rec[0].kept);
    // The second is kept only when it validates better; the committed path is the better one.
    CHECK(rec[1].kept == (rec[1].quality > rec[0].quality));
    CHECK(t.validation_accuracy == std::max(rec[0].quality, rec[1].quality));
  }
  // Models that do not divide the budget are refused when the options are read.
  s.strategy.name = "finetune";
  s.strategy.set_option("finetune", "models", int64_t{7});
  CHECK_THROWS_WITH(StrategyEnvironment::of(s),
                    Catch::Contains("strategy.finetune.models: expected a divisor of [strategy] "
                                    "task_steps (80), found 7"));
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
    CHECK(t.candidates == 10);  // two visits of 2 x 2 children and a final candidate
}

TEST_CASE("An unknown strategy is refused with the list of names", "[model][run]") {
  StrategyEnvironment env;
  env.spec.name = "icarl";
  CHECK_THROWS_WITH(
      make_strategy(env),
      Catch::Contains(
          "unknown strategy \"icarl\" (expected one of: mu2net, "
          "finetune, head-only, adapters, sequential, ewc, lwf, replay, cumulative, joint, "
          "supsup, impresslearn, mod-squad)"));
}

TEST_CASE("A visit evolves from the model as it stood concurrent_tasks - 1 commits before",
          "[model][run]") {
  config::Scenario s = smoke().scenario;
  StrategyEnvironment env = StrategyEnvironment::of(s, std::make_shared<PrefixCache>());
  auto st = make_strategy(env);
  {
    StreamRunner one(s, *st, smoke().root);
    TaskVisit first = one.begin(smoke().tasks, 0);
    CHECK_THROWS_WITH(one.begin(smoke().tasks, 1),
                      Catch::Contains("task visit 1 cannot begin: it evolves from the first 1 "
                                      "commits, and 0 are done"));
  }
  s.run.concurrent_tasks = 2;
  StreamRunner two(s, *st, smoke().root);
  TaskVisit first = two.begin(smoke().tasks, 0);
  TaskVisit second = two.begin(smoke().tasks, 1);
  CHECK(second.state->paths.empty());
  CHECK(second.state->store.size() == first.state->store.size());
  // Train both, commit in stream order; the third visit then sees only the first commit.
  for (TaskVisit* v : {&first, &second}) {
    for (auto batch = v->learner->next(); !batch.empty(); batch = v->learner->next()) {
      for (const auto& c : batch)
        v->learner->record(c, st->train(c, v->context->task));
    }
  }
  two.commit(smoke().tasks, first);
  two.commit(smoke().tasks, second);
  TaskVisit third = two.begin(smoke().tasks, 2);
  CHECK(third.state->paths.size() == 1);
  CHECK(third.state->paths.count("b-all") == 1);
  CHECK(third.state->store.size() < two.state().store.size());
  CHECK(two.state().paths.size() == 2);
}

namespace {

// Runs one µ2Net visit of the first smoke task (4 generations of 2 children, 80 steps of which
// the final candidate gets half) with `patience`, recording `quality(generation)` for every
// search candidate instead of training it; returns the batches proposed.
std::vector<std::vector<Candidate>> patient_visit(int64_t patience,
                                                  const std::function<double(int64_t)>& quality) {
  config::Scenario s = smoke().scenario;
  s.strategy.set_option("mu2net", "generations", int64_t{4});
  s.strategy.set_option("mu2net", "children", int64_t{2});
  s.strategy.set_option("mu2net", "patience", patience);
  auto st = strategy_of(s);
  RunState state;
  state.store.commit("root", smoke().root);
  for (const auto& c : smoke().root)
    state.root.ids.push_back(c.id());
  TaskContext ctx{smoke().tasks[0], 0, 0, 1, nullptr, nullptr, &smoke().tasks};
  auto learner = st->start(state, ctx);
  std::vector<std::vector<Candidate>> batches;
  for (auto batch = learner->next(); !batch.empty(); batch = learner->next()) {
    for (const auto& c : batch) {
      TrainResult r;
      r.quality = quality(c.generation);
      learner->record(c, r);
    }
    batches.push_back(batch);
  }
  return batches;
}

}  // namespace

TEST_CASE("With patience, a search that stops improving gives its steps to the final candidate",
          "[model][run][evolution]") {
  // Generation 1 does no better than generation 0: with patience 1 the search ends there and
  // the final candidate (40 steps) also gets the two generations left (2 × 2 × 5 steps).
  const auto flat = [](int64_t g) { return g == 0 ? 0.5 : 0.4; };
  const auto stopped = patient_visit(1, flat);
  REQUIRE(stopped.size() == 3);
  REQUIRE(stopped.back().size() == 1);
  CHECK(stopped.back()[0].steps == 60);
  CHECK(stopped.back()[0].path.name == smoke().tasks[0].name() + "@0.2.0");
  CHECK(stopped.back()[0].mutations == 0);
  // Patience 2 waits for a second generation without progress.
  const auto later = patient_visit(2, flat);
  REQUIRE(later.size() == 4);
  CHECK(later.back()[0].steps == 50);
  // A search that keeps improving, or no patience, runs every generation.
  const auto rising = patient_visit(1, [](int64_t g) { return 0.1 * static_cast<double>(g + 1); });
  REQUIRE(rising.size() == 5);
  CHECK(rising.back()[0].steps == 40);
  const auto impatient = patient_visit(0, flat);
  REQUIRE(impatient.size() == 5);
  CHECK(impatient.back()[0].steps == 40);
}

TEST_CASE("EWC commits its Fisher information beside each backbone, running it in online mode",
          "[model][run][ewc]") {
  for (const std::string mode : {"separate", "online"}) {
    INFO(mode);
    config::Scenario s = smoke().scenario;
    s.strategy.name = "ewc";
    s.strategy.set_option("ewc", "mode", mode);
    if (mode == "online")
      s.strategy.set_option("ewc", "decay", 0.5);
    StrategyEnvironment env = StrategyEnvironment::of(s, std::make_shared<PrefixCache>());
    auto st = make_strategy(env);
    StreamRunner runner(s, *st, smoke().root);
    const RunResults r = runner.run(smoke().tasks);
    CHECK(r.complete);
    const RunState& state = runner.state();
    // Task 2's Fisher: its own (recomputed from its committed path and training data), plus in
    // online mode half of task 1's running one.
    const Path& first = state.paths.at(smoke().tasks[0].name());
    const Path& second = state.paths.at(smoke().tasks[1].name());
    const auto own = diagonal_fisher(state.store.resolve(second.ids), smoke().tasks[1].train,
                                     s.strategy.batch_size, *vit_family(s.root.architecture.heads));
    for (size_t i = 0; i + 1 < second.ids.size(); ++i) {
      const auto fisher = state.store.get(second.ids[i] + ".fisher");
      CHECK(fisher->parent() == second.ids[i]);
      CHECK(fisher->owner() == smoke().tasks[1].name());
      at::Tensor expected = own[i][0];
      if (mode == "online")
        expected = expected + 0.5 * state.store.get(first.ids[i] + ".fisher")->tensors()[0];
      CHECK(at::allclose(fisher->tensors()[0], expected, 1e-4, 1e-10));
    }
    // The heads have none: nothing anchors them.
    CHECK_FALSE(state.store.contains(second.ids.back() + ".fisher"));
  }
}

TEST_CASE("With carry_optimizer, Adam's state carries from task to task on the shared backbone",
          "[model][run]") {
  for (const bool carry : {false, true}) {
    INFO(carry);
    config::Scenario s = smoke_with("sequential");
    s.strategy.set_option("sequential", "optimizer", std::string("adam"));
    s.strategy.set_option("sequential", "carry_optimizer", carry);
    auto st = strategy_of(s);
    StreamRunner runner(s, *st, smoke().root);
    REQUIRE(runner.run(smoke().tasks).complete);
    const RunState& state = runner.state();
    const Path& first = state.paths.at(smoke().tasks[0].name());
    const Path& second = state.paths.at(smoke().tasks[1].name());
    const auto block = [&](const Path& p) { return state.store.get(p.ids[p.ids.size() - 2]); };
    const auto head = [&](const Path& p) { return state.store.get(p.ids.back()); };
    if (!carry) {
      CHECK(block(second)->second_moment().empty());
      CHECK(block(second)->optimizer_steps() == 0);
      continue;
    }
    // The second task's backbone went on from the first's steps; its fresh head from zero.
    CHECK(head(first)->optimizer_steps() > 0);
    CHECK(block(first)->optimizer_steps() == head(first)->optimizer_steps());
    CHECK(block(second)->optimizer_steps() ==
          block(first)->optimizer_steps() + head(second)->optimizer_steps());
    CHECK_FALSE(block(second)->second_moment().empty());
  }
}

TEST_CASE("With head_init = uniform, a shared backbone's fresh heads start from the visit's draw",
          "[model][run]") {
  // Per visit: a seed under "uniform", none under "zeros".
  const streams::TaskData& task = smoke().tasks[0];
  const auto context = [&task](int64_t index, int64_t visit, uint64_t seed) {
    return TaskContext{task, index, visit, seed, nullptr, nullptr, nullptr};
  };
  SharedBackboneOptions o;
  CHECK_FALSE(SharedBackboneStrategy::head_seed(o, context(0, 0, 1)).has_value());
  o.head_init = "uniform";
  const auto seed = SharedBackboneStrategy::head_seed(o, context(0, 0, 1));
  REQUIRE(seed.has_value());
  CHECK(*seed == SharedBackboneStrategy::head_seed(o, context(0, 0, 1)));
  CHECK(*seed != SharedBackboneStrategy::head_seed(o, context(1, 0, 1)));
  CHECK(*seed != SharedBackboneStrategy::head_seed(o, context(0, 1, 1)));
  CHECK(*seed != SharedBackboneStrategy::head_seed(o, context(0, 0, 2)));
  // A run's committed heads: the same training from another start ends elsewhere.
  std::map<std::string, std::vector<at::Tensor>> heads;
  for (const std::string init : {"zeros", "uniform"}) {
    config::Scenario s = smoke_with("sequential");
    s.strategy.set_option("sequential", "head_init", init);
    auto st = strategy_of(s);
    StreamRunner runner(s, *st, smoke().root);
    REQUIRE(runner.run(smoke().tasks).complete);
    const Path& first = runner.state().paths.at(task.name());
    heads[init] = runner.state().store.get(first.ids.back())->tensors();
  }
  CHECK_FALSE(at::equal(heads["zeros"][0], heads["uniform"][0]));
  CHECK_FALSE(at::equal(heads["zeros"][1], heads["uniform"][1]));
}

TEST_CASE("Joint training trains once on the whole stream and serves every task from it",
          "[model][run][joint]") {
  const config::Scenario s = smoke_with("joint");
  auto st = strategy_of(s);
  std::vector<CandidateRecord> records;
  RunObserver observer;
  observer.candidate_done = [&](const std::string&, const CandidateRecord& c) {
    records.push_back(c);
  };
  StreamRunner runner(s, *st, smoke().root, observer);
  const RunResults r = runner.run(smoke().tasks);
  REQUIRE(r.complete);
  const RunState& state = runner.state();
  const std::string first = smoke().tasks[0].name();
  // One candidate, at the first visit; the later visits train nothing.
  CHECK(r.tasks[0].candidates == 1);
  // It trains each task's steps and validates as often as one visit does.
  const auto tasks = static_cast<int64_t>(smoke().tasks.size());
  REQUIRE(records.size() == 1);
  const auto& validations = records[0].curve.validations;
  CHECK(static_cast<int64_t>(validations.size()) ==
        s.strategy.task_steps / s.strategy.validation_interval);
  REQUIRE_FALSE(validations.empty());
  CHECK(validations.front().step == s.strategy.validation_interval * tasks);
  CHECK(validations.back().step == s.strategy.task_steps * tasks);
  CHECK(r.tasks[1].candidates == 0);
  CHECK(r.tasks[2].candidates == 0);
  const Path& p0 = state.paths.at(first);
  for (const auto& task : smoke().tasks) {
    INFO(task.name());
    const Path& p = state.paths.at(task.name());
    // The first task's backbone and the task's own head, cut from the joined one.
    CHECK(std::vector<std::string>(p.ids.begin(), p.ids.end() - 1) ==
          std::vector<std::string>(p0.ids.begin(), p0.ids.end() - 1));
    CHECK(p.ids.back() == JointStrategy::head_id(first, task.name()));
    const auto head = state.store.get(p.ids.back());
    CHECK(head->owner() == first);
    CHECK(head->tensors()[0].size(0) == task.num_classes);
    CHECK(r.tasks[&task - smoke().tasks.data()].test_accuracy > 1.5 / task.num_classes);
  }
  CHECK(state.store.get(p0.ids.front())->owner() == first);
  // Nothing changes after the first visit.
  CHECK(r.bwt == 0.0);
  for (const auto& t : r.tasks)
    CHECK(t.predictions_identical);
}

TEST_CASE("Joint training begins its later visits only after the joint model is committed",
          "[model][run][joint]") {
  config::Scenario s = smoke_with("joint");
  s.run.concurrent_tasks = 2;
  auto st = strategy_of(s);
  StreamRunner runner(s, *st, smoke().root);
  CHECK(runner.concurrent_tasks() == 1);
  TaskVisit first = runner.begin(smoke().tasks, 0);
  CHECK_THROWS_WITH(runner.begin(smoke().tasks, 1),
                    Catch::Contains("task visit 1 cannot begin: it evolves from the first 1 "
                                    "commits, and 0 are done"));
  const RunResults r = runner.run(smoke().tasks);
  CHECK(r.tasks[1].candidates == 0);
  CHECK(r.tasks[1].params_added == 0);
}

TEST_CASE("Joint training refuses a task it did not train for and tasks of mixed shapes",
          "[model][run][joint]") {
  const config::Scenario s = smoke_with("joint");
  auto st = strategy_of(s);
  // The stream at the first visit holds the first two tasks only; the third arrives later.
  const std::vector<streams::TaskData> two(smoke().tasks.begin(), smoke().tasks.begin() + 2);
  RunState state;
  state.store.commit("root", smoke().root);
  for (const auto& c : smoke().root)
    state.root.ids.push_back(c.id());
  TaskContext first{two[0], 0, 0, 1, nullptr, nullptr, &two};
  auto learner = st->start(state, first);
  const auto batch = learner->next();
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].data->num_classes == two[0].num_classes + two[1].num_classes);
  CHECK(batch[0].steps == 2 * s.strategy.task_steps);
  const TrainResult trained = st->train(batch[0], two[0]);
  learner->record(batch[0], trained);
  TaskOutcome out = learner->finish();
  state.store.commit(two[0].name(), out.added);
  state.set_path(two[0].name(), out.path);
  state.last_task = two[0].name();
  TaskContext late{smoke().tasks[2], 2, 0, 1, nullptr, nullptr, &smoke().tasks};
  CHECK_THROWS_WITH(st->start(state, late),
                    Catch::Contains("strategy joint: task " + smoke().tasks[2].name() +
                                    " was not in the stream when the joint model trained"));
}

TEST_CASE("Strategies that need real images refuse simulated trainers", "[model][run]") {
  config::Scenario s = smoke().scenario;
  s.trainers.kind = config::TrainerSpec::Kind::kSimulated;
  for (const std::string name : {"ewc", "lwf", "replay", "cumulative", "joint"}) {
    INFO(name);
    s.strategy.name = name;
    CHECK_THROWS_WITH(make_strategy(StrategyEnvironment::of(s)),
                      Catch::Contains("strategy " + name + ": needs real training") &&
                          Catch::Contains("simulated trainers cannot run it"));
  }
  // Sequential fine-tuning has a simulated counterpart.
  s.strategy.name = "sequential";
  CHECK(make_strategy(StrategyEnvironment::of(s))->name() == "sequential");
}
