#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "actors/actor_run.hpp"
#include "actors/blob_codec.hpp"
#include "actors/run_error.hpp"
#include "actors/system_config.hpp"
#include "actors/trainer_actor.hpp"
#include "actors/trainer_pool.hpp"
#include "actors/worker.hpp"
#include "config/scenario_parser.hpp"
#include "model/model_fixtures.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/run/stream_runner.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/root_trainer.hpp"
#include "streams/synthetic_generator.hpp"
#include "streams/task_builder.hpp"

using namespace evostream;
using namespace evostream::actors;

namespace {

struct System {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  System() {
    cfg.add_message_types<caf::id_block::evostream>();
    add_run_errors(cfg);
    system = std::make_unique<caf::actor_system>(cfg);
  }
};

std::shared_ptr<const std::vector<streams::TaskData>> one_task() {
  config::SyntheticOptions o;
  o.classes = 3;
  o.image_size = 8;
  o.train_per_class = 40;
  o.test_per_class = 10;
  o.seed = 4;
  const streams::Dataset d = streams::SyntheticGenerator(o).generate("s");
  config::TaskSpec spec;
  spec.name = "s";
  spec.dataset = "s";
  return std::make_shared<const std::vector<streams::TaskData>>(
      std::vector<streams::TaskData>{streams::TaskBuilder::build(spec, d, 1)});
}

model::TrainSettings settings() {
  model::TrainSettings s;
  s.steps = 10;
  s.batch_size = 8;
  s.validation_interval = 5;
  s.family = model::vit_family(2);
  return s;
}

// A trainer's setup for `tasks` with the settings above and a cache of its own.
TrainerSetup trainer_setup(std::shared_ptr<const std::vector<streams::TaskData>> tasks) {
  TrainerSetup setup;
  setup.tasks = std::make_shared<const evostream::streams::StreamTasks>(std::move(tasks));
  setup.trainer = model::CandidateTrainer::make(settings());
  return setup;
}

// A job training the head and final norm of a fresh micro ViT.
train_job job(uint64_t id, uint64_t seed) {
  auto root = model::VitFactory::root(evostream::testing::micro_arch(), 3, "root", 9);
  model::Candidate c;
  for (auto& comp : root) {
    if (comp.kind() != model::ComponentKind::kHead &&
        comp.kind() != model::ComponentKind::kFinalNorm)
      comp.freeze();
  }
  c.components = model::share(std::move(root));
  c.training_seed = seed;
  return BlobCodec::job(id, 0, model::TrainJob::of(c));
}

// The job as the pool takes it from an evolver: components shared, not encoded.
local_job local(const train_job& j) {
  return {j.job, j.task_index, std::make_shared<const model::TrainJob>(BlobCodec::decode(j))};
}

// A trainer that dies on its first job, as a crashed process would.
caf::behavior crashing_trainer(caf::event_based_actor* self) {
  return {[self](local_job&) { self->quit(caf::exit_reason::kill); }};
}

}  // namespace

TEST_CASE("Blobs carry components and recipes bit for bit", "[actors]") {
  auto root = model::VitFactory::root(evostream::testing::micro_arch(), 3, "root", 2);
  root[3].freeze();
  for (const auto& c : root) {
    const model::Component back = BlobCodec::decode(BlobCodec::encode(c));
    CHECK(back.content_hash() == c.content_hash());
    CHECK(back.id() == c.id());
    CHECK(back.frozen() == c.frozen());
    CHECK(back.momentum().empty());
  }
  std::vector<at::Tensor> traces;
  for (const auto& t : root[4].tensors())
    traces.push_back(at::randn(t.sizes()));
  const model::Component moving = root[4].with_momentum(traces);
  const model::Component back = BlobCodec::decode(BlobCodec::encode(moving));
  REQUIRE(back.momentum().size() == traces.size());
  for (size_t i = 0; i < traces.size(); ++i)
    CHECK(back.momentum()[i].equal(traces[i]));
  // Adam's carried state travels too.
  std::vector<at::Tensor> second;
  for (const auto& t : root[4].tensors())
    second.push_back(at::rand(t.sizes()));
  const model::Component adam = root[4].with_adam_state(traces, second, 7);
  const model::Component adam_back = BlobCodec::decode(BlobCodec::encode(adam));
  CHECK(adam_back.optimizer_steps() == 7);
  CHECK(adam_back.momentum_hash() == adam.momentum_hash());
  tensor_blob short_blob = BlobCodec::encode("w", at::zeros({2, 3}));
  short_blob.data.resize(20);
  CHECK_THROWS_WITH(BlobCodec::decode(short_blob),
                    Catch::Matchers::Contains("tensor w: shape holds 6 values, found 20 bytes"));
  // Bit-packed masks and seeds travel exactly, in their own types.
  const at::Tensor bits = at::arange(0, 200, at::kLong).to(at::kByte);
  const at::Tensor seed = at::full({1}, int64_t{0x7fffffffffffff01}, at::kLong);
  CHECK(BlobCodec::decode(BlobCodec::encode("bits", bits)).equal(bits));
  CHECK(BlobCodec::decode(BlobCodec::encode("seed", seed)).equal(seed));
  tensor_blob odd = BlobCodec::encode("w", at::zeros({2}));
  odd.dtype = "float64";
  CHECK_THROWS_WITH(BlobCodec::decode(odd),
                    Catch::Matchers::Contains("expected dtype float32, uint8 or int64, found "
                                              "\"float64\""));
  // A shape far larger than the values sent is refused before any allocation.
  tensor_blob huge = BlobCodec::encode("w", at::zeros({2, 3}));
  huge.shape = {1 << 20, 1 << 20, 1 << 20};
  CHECK_THROWS_WITH(BlobCodec::decode(huge),
                    Catch::Matchers::Contains("tensor w: shape 1048576x1048576x1048576 does not "
                                              "fit the 6 values sent"));
  huge.shape = {-2, -3};
  CHECK_THROWS_WITH(BlobCodec::decode(huge), Catch::Matchers::Contains("does not fit"));
  model::TrainJob j;
  j.components = model::share(model::VitFactory::root(evostream::testing::micro_arch(), 3, "r", 9));
  j.recipe.learning_rate = 0.123456789;
  j.recipe.schedule = model::Schedule::kRestarts;
  j.recipe.flip = true;
  j.recipe.set_extra("adapter_dim", 64, true).set_extra("mu", 0.14);
  j.seed = 77;
  j.steps = 12;
  j.validation_interval = 4;
  j.schedule_offset = 24;
  j.schedule_steps = 60;
  // Through CAF's binary serialisation, as a job crosses the network.
  std::vector<char> bytes;
  caf::binary_serializer sink{nullptr, bytes};
  train_job sent = BlobCodec::job(5, 2, j);
  REQUIRE_FALSE(sink(sent));
  train_job received;
  caf::binary_deserializer source{nullptr, bytes};
  REQUIRE_FALSE(source(received));
  CHECK(received.job == 5);
  CHECK(received.task_index == 2);
  const model::TrainJob r = BlobCodec::decode(received);
  CHECK(r.recipe.learning_rate == j.recipe.learning_rate);
  CHECK(r.recipe.schedule == j.recipe.schedule);
  CHECK(r.recipe.flip);
  CHECK(r.recipe.extras == j.recipe.extras);
  CHECK(r.seed == 77);
  CHECK(r.steps == 12);
  CHECK(r.validation_interval == 4);
  CHECK(r.schedule_offset == 24);
  CHECK(r.schedule_steps == 60);
  REQUIRE(r.components.size() == j.components.size());
  for (size_t i = 0; i < r.components.size(); ++i)
    CHECK(r.components[i]->content_hash() == j.components[i]->content_hash());
  // A stretch that does not lie within its schedule is refused.
  train_job outside = received;
  outside.schedule_offset = 50;
  CHECK_THROWS_WITH(BlobCodec::decode(outside),
                    Catch::Matchers::Contains("train job 5: expected its 12 steps from schedule "
                                              "step 50 to lie within a schedule of 60 steps"));
  outside.schedule_offset = -1;
  CHECK_THROWS_WITH(BlobCodec::decode(outside), Catch::Matchers::Contains("from schedule step -1"));
  received.validation_interval = -1;
  CHECK_THROWS_WITH(BlobCodec::decode(received),
                    Catch::Matchers::Contains("validation_interval must be >= 0, found -1"));
}

TEST_CASE("A trainer's reply carries the validation curve with the objective's terms", "[actors]") {
  model::TrainResult r;
  r.quality = 0.75;
  r.validations = {{10, 0.5, 1.25}, {20, 0.75, 0.5}};
  r.losses = {{5, 2.0, {{"cross-entropy", 1.0}}},
              {10, 1.5, {{"cross-entropy", 0.25}, {"mutual information", 0.125}}},
              {15, 1.0, {}}};
  // Through CAF's binary serialisation, as a reply crosses the network.
  std::vector<char> bytes;
  caf::binary_serializer sink{nullptr, bytes};
  train_reply sent = BlobCodec::reply(4, r);
  REQUIRE_FALSE(sink(sent));
  train_reply received;
  caf::binary_deserializer source{nullptr, bytes};
  REQUIRE_FALSE(source(received));
  const model::TrainResult back = BlobCodec::result(received);
  REQUIRE(back.validations.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(back.validations[i].step == r.validations[i].step);
    CHECK(back.validations[i].accuracy == r.validations[i].accuracy);
    CHECK(back.validations[i].loss == r.validations[i].loss);
  }
  REQUIRE(back.losses.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(back.losses[i].step == r.losses[i].step);
    CHECK(back.losses[i].loss == r.losses[i].loss);
    CHECK(back.losses[i].terms == r.losses[i].terms);  // absent stays absent
  }
  CHECK(sent.term_keys == std::vector<uint64_t>{0, 2, 3});  // point 0 has no MI, point 2 none
  // Counts that disagree are refused, not read past.
  train_reply cut = sent;
  cut.curve.pop_back();
  CHECK_THROWS_WITH(BlobCodec::result(cut),
                    Catch::Matchers::Contains("training curve: expected 3 values per validation, "
                                              "2 per loss point and a key per term value, found "
                                              "5 and 6 values, 3 keys and 3 term values"));
  train_reply odd = sent;
  odd.losses.pop_back();
  CHECK_THROWS_WITH(BlobCodec::result(odd), Catch::Matchers::Contains("found 6 and 5 values"));
  train_reply short_terms = sent;
  short_terms.term_values.pop_back();
  CHECK_THROWS_WITH(BlobCodec::result(short_terms),
                    Catch::Matchers::Contains("3 keys and 2 term values"));
  train_reply beyond = sent;
  beyond.term_keys[2] = 6;
  CHECK_THROWS_WITH(BlobCodec::result(beyond),
                    Catch::Matchers::Contains("term key 6 is beyond 3 loss points × 2 terms"));
}

TEST_CASE("The pool spreads jobs over its trainers and results match a direct training",
          "[actors]") {
  System s;
  const auto tasks = one_task();
  std::vector<caf::actor> trainers;
  for (int i = 0; i < 2; ++i)
    trainers.push_back(s.system->spawn<caf::detached>(trainer_actor, trainer_setup(tasks)));
  const auto pool = s.system->spawn(trainer_pool, trainers, WorkerOffer{}, TrainerLoss{});
  caf::scoped_actor self{*s.system};
  std::vector<local_reply> replies;
  for (uint64_t i = 0; i < 4; ++i) {
    self->request(pool, caf::infinite, local(job(i, 100 + i)))
        .receive([&](local_reply& r) { replies.push_back(r); },
                 [&](caf::error& e) { FAIL(s.system->render(e)); });
  }
  REQUIRE(replies.size() == 4);
  // The same job trained here (with a prefix cache, as trainers have) gives the same tensors.
  const model::TrainJob j = BlobCodec::decode(job(2, 102));
  const model::TrainResult direct =
      model::Trainer(settings(), std::make_shared<model::PrefixCache>())
          .train(j.components, j.recipe, (*tasks)[0], j.seed);
  CHECK(replies[2].job == 2);
  CHECK(replies[2].result->quality == direct.quality);
  CHECK(replies[2].result->trained[0].content_hash() == direct.trained[0].content_hash());
  // A trainer answers the encoded job of a remote run with the same result.
  self->request(trainers[0], caf::infinite, job(2, 102))
      .receive(
          [&](train_reply& r) {
            CHECK(r.quality == direct.quality);
            CHECK(BlobCodec::decode(r.trained[0]).content_hash() ==
                  direct.trained[0].content_hash());
          },
          [&](caf::error& e) { FAIL(s.system->render(e)); });
  self->send_exit(pool, caf::exit_reason::user_shutdown);
  for (auto& t : trainers)
    self->send_exit(t, caf::exit_reason::user_shutdown);
}

TEST_CASE("A job whose trainer dies is run again by another trainer", "[actors]") {
  System s;
  const auto tasks = one_task();
  const caf::actor crashing = s.system->spawn(crashing_trainer);
  const caf::actor good = s.system->spawn<caf::detached>(trainer_actor, trainer_setup(tasks));
  // The crashing trainer is idle last, so it gets the first job.
  const auto pool = s.system->spawn(trainer_pool, std::vector<caf::actor>{good, crashing},
                                    WorkerOffer{}, TrainerLoss{});
  caf::scoped_actor self{*s.system};
  bool replied = false;
  self->request(pool, caf::infinite, local(job(0, 5)))
      .receive([&](local_reply& r) { replied = r.result->quality >= 0.0; },
               [&](caf::error& e) { FAIL(s.system->render(e)); });
  CHECK(replied);
  self->request(pool, caf::infinite, status_atom_v)
      .receive(
          [&](int64_t alive, int64_t idle, int64_t queued, int64_t requeued, double busy) {
            CHECK(busy > 0.0);
            CHECK(alive == 1);
            CHECK(idle == 1);
            CHECK(queued == 0);
            CHECK(requeued == 1);
          },
          [&](caf::error& e) { FAIL(s.system->render(e)); });
  self->send_exit(pool, caf::exit_reason::user_shutdown);
  self->send_exit(good, caf::exit_reason::user_shutdown);
}

TEST_CASE("With no trainer left a job fails with a clear error", "[actors]") {
  System s;
  const auto pool =
      s.system->spawn(trainer_pool, std::vector<caf::actor>{}, WorkerOffer{}, TrainerLoss{});
  caf::scoped_actor self{*s.system};
  std::string error;
  self->request(pool, caf::infinite, local(job(0, 5)))
      .receive([&](local_reply&) {}, [&](caf::error& e) { error = s.system->render(e); });
  CHECK_THAT(error, Catch::Contains("no trainer left"));
  self->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_CASE("Without a trainer a pool that may be joined waits for one, then gives up", "[actors]") {
  System s;
  const auto tasks = one_task();
  std::vector<std::chrono::seconds> told;
  const auto pool = s.system->spawn(
      trainer_pool, std::vector<caf::actor>{}, WorkerOffer{},
      TrainerLoss{std::chrono::seconds(1), [&](std::chrono::seconds w) { told.push_back(w); }});
  caf::scoped_actor self{*s.system};
  // A trainer joining within the wait takes the job.
  self->send(pool, local(job(0, 5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const caf::actor late = s.system->spawn<caf::detached>(trainer_actor, trainer_setup(tasks));
  self->send(pool, join_atom_v, late);
  bool replied = false;
  self->receive([&](local_reply& r) { replied = r.result != nullptr; },
                [&](caf::error& e) { FAIL(s.system->render(e)); });
  CHECK(replied);
  REQUIRE(told.size() == 1);
  CHECK(told[0] == std::chrono::seconds(1));
  // When it leaves and nobody comes, the job fails after the wait, saying why.
  self->send_exit(late, caf::exit_reason::kill);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string error;
  const auto t0 = std::chrono::steady_clock::now();
  self->request(pool, caf::infinite, local(job(1, 6)))
      .receive([&](local_reply&) {}, [&](caf::error& e) { error = s.system->render(e); });
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(900));
  CHECK_THAT(error, Catch::Contains("no trainer left to run the job: none joined within 1 s "
                                    "after the last one left (--worker-timeout)"));
  CHECK(told.size() == 2);
  self->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_CASE("A job naming an unknown task gets an error reply", "[actors]") {
  System s;
  const caf::actor t = s.system->spawn<caf::detached>(trainer_actor, trainer_setup(one_task()));
  caf::scoped_actor self{*s.system};
  train_job j = job(7, 1);
  j.task_index = 3;
  std::string error;
  self->request(t, caf::infinite, j)
      .receive([&](train_reply&) {}, [&](caf::error& e) { error = s.system->render(e); });
  CHECK_THAT(error, Catch::Contains("job 7: no task 3"));
  error.clear();
  self->request(t, caf::infinite, local(j))
      .receive([&](local_reply&) {}, [&](caf::error& e) { error = s.system->render(e); });
  CHECK_THAT(error, Catch::Contains("job 7: no task 3"));
  // An encoded job whose tensor does not fill its shape is refused, not trained.
  train_job bad = job(8, 1);
  bad.components[0].tensors[0].data.pop_back();
  error.clear();
  self->request(t, caf::infinite, bad)
      .receive([&](train_reply&) {}, [&](caf::error& e) { error = s.system->render(e); });
  CHECK_THAT(error, Catch::Contains("job 8: tensor"));
  self->send_exit(t, caf::exit_reason::user_shutdown);
}

namespace {

// The state hash of the smoke stream with `concurrent` tasks at once, learned without actors
// (`trainers` 0) or through the actor run with `trainers` trainers.
std::string smoke_hash(const evostream::testing::SmokeStream& smoke, int64_t concurrent,
                       int64_t trainers) {
  config::Scenario scenario = smoke.scenario;
  scenario.run.concurrent_tasks = concurrent;
  const model::StrategyEnvironment env =
      model::StrategyEnvironment::of(scenario, std::make_shared<model::PrefixCache>());
  auto strategy = model::make_strategy(env);
  model::StreamRunner runner(scenario, *strategy, smoke.root);
  ActorRunOptions o;
  o.trainers = trainers;
  o.trainer = env.trainer;
  const model::RunResults r =
      trainers == 0 ? runner.run(*smoke.tasks) : ActorRun(o).run(runner, smoke.tasks);
  CHECK(r.complete);
  if (concurrent == 2) {
    // The second task evolved without the first task's path: only the root was a seed.
    const std::string parent = runner.progress().paths.at("a-pairs").parent;
    CHECK((parent == "root" || parent.rfind("a-pairs@", 0) == 0));
  }
  return model::run_state_hash(runner.state().store, runner.progress());
}

}  // namespace

TEST_CASE("The actor run ends in the same state with one or two trainers as without actors",
          "[actors]") {
  const evostream::testing::SmokeStream smoke;
  const std::string plain = smoke_hash(smoke, 1, 0);
  CHECK(smoke_hash(smoke, 1, 1) == plain);
  CHECK(smoke_hash(smoke, 1, 2) == plain);
  ActorRunOptions none;
  CHECK_THROWS_WITH(ActorRun(none),
                    "trainer: expected the candidate trainer of the run, found none");
  none.trainer = model::CandidateTrainer::make(model::TrainSettings{});
  none.trainers = 0;
  CHECK_THROWS_WITH(ActorRun(none), Catch::Contains("trainers: expected at least 1"));
}

TEST_CASE("Two tasks evolving at once end in the same state with one or two trainers", "[actors]") {
  const evostream::testing::SmokeStream smoke;
  const std::string plain = smoke_hash(smoke, 2, 0);
  CHECK(smoke_hash(smoke, 2, 1) == plain);
  CHECK(smoke_hash(smoke, 2, 2) == plain);
  CHECK(plain != smoke_hash(smoke, 1, 0));
}

namespace {

// A trainer whose every job fails, as a broken device or kernel would.
class FailingTrainer : public model::CandidateTrainer {
 public:
  FailingTrainer() : CandidateTrainer(model::TrainSettings{}) {}
  model::TrainResult train(const model::TrainJob&, const streams::TaskData&,
                           const model::TrainProgress&) const override {
    throw std::runtime_error("the kernel broke");
  }
  double estimated_flops(const model::TrainJob&, const streams::TaskData&) const override {
    return 1.0;
  }
  bool simulated() const override { return false; }
};

}  // namespace

TEST_CASE("A run stopped while it waits for a task's arrival ends at once with what it committed",
          "[actors][stop]") {
  const evostream::testing::SmokeStream smoke;
  auto tasks = std::make_shared<std::vector<streams::TaskData>>(*smoke.tasks);
  (*tasks)[1].spec.delay_seconds = 100000;  // the second task would arrive in a day
  const model::StrategyEnvironment env = model::StrategyEnvironment::of(smoke.scenario);
  auto strategy = model::make_strategy(env);
  ActorRunOptions o;
  o.trainer = env.trainer;
  ActorRun* target = nullptr;
  std::vector<std::string> waited;
  // Runs on the recorder once the first visit is committed and the second task is awaited.
  o.on_wait = [&](const std::string& task, double) {
    waited.push_back(task);
    target->stop();
  };
  ActorRun run(o);
  target = &run;
  model::StreamRunner runner(smoke.scenario, *strategy, smoke.root);
  const model::RunResults r = run.run(runner, tasks);
  CHECK(waited == std::vector<std::string>{(*tasks)[1].name()});
  CHECK(r.events_done == 1);
  CHECK_FALSE(r.complete);
  // A run asked to stop before it starts commits nothing.
  ActorRun early(o);
  target = &early;
  early.stop();
  model::StreamRunner fresh(smoke.scenario, *strategy, smoke.root);
  const model::RunResults none = early.run(fresh, tasks);
  CHECK(none.events_done == 0);
  CHECK_FALSE(none.complete);
}

TEST_CASE("A run whose training fails says which job and why", "[actors][stop]") {
  const evostream::testing::SmokeStream smoke;
  const model::StrategyEnvironment env = model::StrategyEnvironment::of(smoke.scenario);
  auto strategy = model::make_strategy(env);
  model::StreamRunner runner(smoke.scenario, *strategy, smoke.root);
  ActorRunOptions o;
  o.trainer = std::make_shared<const FailingTrainer>();
  CHECK_THROWS_WITH(ActorRun(o).run(runner, smoke.tasks),
                    Catch::Contains("training failed: job 0: the kernel broke"));
  CHECK(runner.progress().events_done == 0);
}

TEST_CASE("A remote trainer gets each frozen component once, then a reference by id and hash",
          "[actors][remote]") {
  auto root = model::VitFactory::root(evostream::testing::micro_arch(), 3, "root", 5);
  for (auto& c : root) {
    if (c.kind() != model::ComponentKind::kHead)
      c.freeze();
  }
  model::TrainJob j;
  j.components = model::share(std::move(root));
  SentComponents sent;
  ReceivedComponents received;
  const train_job first = BlobCodec::job(1, 0, j, &sent);
  const train_job second = BlobCodec::job(2, 0, j, &sent);
  const size_t frozen = j.components.size() - 1;
  CHECK(sent.size() == frozen);
  for (size_t i = 0; i < j.components.size(); ++i) {
    INFO(j.components[i]->id());
    CHECK(first.components[i].reference.empty());
    const bool is_frozen = j.components[i]->frozen();
    // The second job refers to the frozen ones and sends the trainable head again.
    CHECK(second.components[i].reference.empty() == !is_frozen);
    CHECK(second.components[i].tensors.empty() == is_frozen);
    if (is_frozen)
      CHECK(second.components[i].reference == j.components[i]->content_hash());
  }
  const model::TrainJob a = BlobCodec::decode(first, &received);
  const model::TrainJob b = BlobCodec::decode(second, &received);
  CHECK(received.size() == frozen);
  for (size_t i = 0; i < j.components.size(); ++i) {
    CHECK(a.components[i]->content_hash() == j.components[i]->content_hash());
    CHECK(b.components[i]->content_hash() == j.components[i]->content_hash());
  }
  CHECK(b.components[0] == a.components[0]);  // the very component received before
  // A reference to nothing received, or to other bytes, is refused.
  CHECK_THROWS_WITH(BlobCodec::decode(second),
                    Catch::Contains("a reference, but no component was received before"));
  ReceivedComponents fresh;
  CHECK_THROWS_WITH(fresh.decode(second.components[0]),
                    Catch::Contains("a reference to a component not received"));
  train_job forged = second;
  forged.components[0].reference = "0000000000000000";
  CHECK_THROWS_WITH(BlobCodec::decode(forged, &received),
                    Catch::Contains("content hash 0000000000000000 referred to"));
}

TEST_CASE("A run whose awaited workers do not come fails saying how many came",
          "[actors][remote]") {
  const evostream::testing::SmokeStream smoke;
  const model::StrategyEnvironment env = model::StrategyEnvironment::of(smoke.scenario);
  auto strategy = model::make_strategy(env);
  model::StreamRunner runner(smoke.scenario, *strategy, smoke.root);
  ActorRunOptions o;
  o.trainer = env.trainer;
  o.trainers = 1;
  o.wait_workers = 1;
  o.worker_timeout = std::chrono::seconds(1);
  CHECK_THROWS_WITH(ActorRun(o).run(runner, smoke.tasks),
                    Catch::Contains("awaited workers did not join: 2 trainer(s) awaited, 1 alive "
                                    "after 1 s"));
  CHECK(runner.progress().events_done == 0);
}

TEST_CASE("A job's objective travels by name, and one that a name does not describe stays home",
          "[actors][remote]") {
  auto root = model::VitFactory::root(evostream::testing::micro_arch(), 3, "r", 9);
  for (auto& c : root)
    c.freeze();
  model::TrainJob j;
  j.components = model::share(std::move(root));
  CHECK(BlobCodec::job(1, 0, j).recipe.objective == "cross-entropy");
  j.objective = model::objective_named("cross-entropy");
  const train_job named = BlobCodec::job(1, 0, j);
  CHECK(named.recipe.objective == "cross-entropy");
  CHECK(BlobCodec::decode(named).objective->name() == "cross-entropy");
  // An objective with data of its own (as EWC's anchors) cannot be rebuilt from its name.
  struct Anchored : model::Objective {
    std::string name() const override { return "anchored"; }
    at::Tensor loss(const model::LossInputs& in) const override { return in.logits.sum(); }
  };
  j.objective = std::make_shared<const Anchored>();
  SentComponents sent;
  CHECK_THROWS_WITH(BlobCodec::job(2, 0, j, &sent),
                    Catch::Contains("objective \"anchored\" cannot train remotely"));
  CHECK(sent.size() == 0);  // nothing counted as sent for a job that was not
  train_job unknown = named;
  unknown.recipe.objective = "anchored";
  CHECK_THROWS_WITH(BlobCodec::decode(unknown), Catch::Contains("unknown objective \"anchored\""));
}

TEST_CASE("A job's own optimizer travels with it; without one the worker's trains",
          "[actors][remote]") {
  auto root = model::VitFactory::root(evostream::testing::micro_arch(), 3, "r", 9);
  model::TrainJob j;
  j.components = model::share(std::move(root));
  CHECK_FALSE(BlobCodec::decode(BlobCodec::job(1, 0, j)).recipe.optimizer.has_value());
  model::OptimizerOptions adam;
  adam.kind = model::OptimizerOptions::Kind::kAdamW;
  adam.weight_decay = 0.0;
  adam.clip_norm = 0.0;
  j.recipe.optimizer = adam;
  // Through CAF's own serialisation, as it crosses the network.
  std::vector<char> bytes;
  caf::binary_serializer out{nullptr, bytes};
  train_job sent = BlobCodec::job(2, 0, j);
  REQUIRE_FALSE(out(sent));
  train_job received;
  caf::binary_deserializer in{nullptr, bytes};
  REQUIRE_FALSE(in(received));
  const model::TrainJob back = BlobCodec::decode(received);
  REQUIRE(back.recipe.optimizer.has_value());
  CHECK(*back.recipe.optimizer == adam);
  // A job without one, read into a message that held one, has none.
  j.recipe.optimizer.reset();
  bytes.clear();
  caf::binary_serializer again{nullptr, bytes};
  REQUIRE_FALSE(again(BlobCodec::job(3, 0, j)));
  caf::binary_deserializer in_again{nullptr, bytes};
  REQUIRE_FALSE(in_again(received));
  CHECK_FALSE(BlobCodec::decode(received).recipe.optimizer.has_value());
}

namespace {

// What an open run of the smoke stream did: it starts with the first two tasks and grows by
// the third once the second has started (or, with `fail_first`, after one failed growth).
struct Growth {
  std::string hash;
  std::vector<int64_t> idles;       // visits committed each time the stream was learned
  std::vector<std::string> order;   // "started NAME" and "committed NAME", as reported
  std::vector<std::string> errors;  // growth failures reported
  model::RunResults results;
};

Growth grow_smoke(const evostream::testing::SmokeStream& smoke, int64_t concurrent,
                  bool fail_first) {
  config::Scenario scenario = smoke.scenario;
  scenario.run.concurrent_tasks = concurrent;
  const model::StrategyEnvironment env =
      model::StrategyEnvironment::of(scenario, std::make_shared<model::PrefixCache>());
  auto strategy = model::make_strategy(env);
  Growth g;
  ActorRun* target = nullptr;
  std::atomic<bool> arrived{false};
  std::atomic<int> failures_left{fail_first ? 1 : 0};
  model::RunObserver observer;
  observer.task_started = [&](int64_t, int64_t, const streams::TaskData& t) {
    g.order.push_back("started " + t.name());
    if (t.name() == (*smoke.tasks)[1].name()) {
      arrived = true;
      target->arrive();
    }
  };
  observer.task_committed = [&](const std::string& task,
                                const std::vector<std::pair<std::string, double>>&,
                                double) { g.order.push_back("committed " + task); };
  model::StreamRunner runner(scenario, *strategy, smoke.root, observer);
  ActorRunOptions o;
  o.trainer = env.trainer;
  o.grow = [&](const std::vector<streams::TaskData>& current)
      -> std::shared_ptr<const std::vector<streams::TaskData>> {
    if (!arrived || current.size() >= smoke.tasks->size())
      return nullptr;
    if (failures_left-- > 0)
      throw std::runtime_error("the dataset of the third task is missing");
    auto next = std::make_shared<std::vector<streams::TaskData>>(current);
    next->push_back(smoke.tasks->back());
    return next;
  };
  o.on_growth_error = [&](const std::string& why) {
    g.errors.push_back(why);
    target->arrive();  // the dataset is back: try again
  };
  o.on_idle = [&](const model::RunResults& r) {
    g.idles.push_back(r.events_done);
    if (r.events_done == static_cast<int64_t>(smoke.tasks->size()))
      target->stop();
  };
  ActorRun run(o);
  target = &run;
  auto first = std::make_shared<const std::vector<streams::TaskData>>(smoke.tasks->begin(),
                                                                      smoke.tasks->end() - 1);
  g.results = run.run(runner, first);
  g.hash = model::run_state_hash(runner.state().store, runner.progress());
  return g;
}

}  // namespace

TEST_CASE("A served run grows while it learns and ends in the state of the whole stream",
          "[actors][growth]") {
  const evostream::testing::SmokeStream smoke;
  const std::string& last = smoke.tasks->back().name();
  const std::string& second = (*smoke.tasks)[1].name();
  for (const int64_t concurrent : {1, 2}) {
    INFO("concurrent_tasks = " << concurrent);
    const Growth g = grow_smoke(smoke, concurrent, false);
    CHECK(g.hash == smoke_hash(smoke, concurrent, 0));
    CHECK(g.results.complete);
    CHECK(g.results.events_total == 3);
    // The stream was learned once, with the task that arrived while it ran.
    CHECK(g.idles == std::vector<int64_t>{3});
    CHECK(g.errors.empty());
    if (concurrent == 2) {
      // The new task began beside the second, still learning.
      const auto started = std::find(g.order.begin(), g.order.end(), "started " + last);
      const auto committed = std::find(g.order.begin(), g.order.end(), "committed " + second);
      INFO(fmt::format("{}", fmt::join(g.order, ", ")));
      CHECK(started < committed);
    }
  }
}

TEST_CASE("A served run whose new task cannot be built says why and goes on", "[actors][growth]") {
  const evostream::testing::SmokeStream smoke;
  const Growth g = grow_smoke(smoke, 1, true);
  CHECK(g.errors == std::vector<std::string>{"the dataset of the third task is missing"});
  CHECK(g.hash == smoke_hash(smoke, 1, 0));
  ActorRunOptions remote;
  remote.trainer = model::CandidateTrainer::make(model::TrainSettings{});
  remote.grow = [](const std::vector<streams::TaskData>&) { return nullptr; };
  remote.listen = 0;
  CHECK_THROWS_WITH(ActorRun(remote), Catch::Contains("expected no remote trainers"));
}

TEST_CASE("A worker refuses a peer whose interface is not a trainer pool's", "[actors][remote]") {
  caf::actor_system_config cfg;
  configure_system(cfg);
  caf::actor_system system{cfg};
  // Another actor on the port: it answers messages, but not as a pool does.
  const caf::actor other =
      system.spawn([]() -> caf::behavior { return {[](scenario_atom) { return 42; }}; });
  const auto port = system.middleman().publish(other, 0, "127.0.0.1");
  REQUIRE(port);
  const Worker worker("127.0.0.1", *port, "cpu", 1, std::nullopt, uint64_t{1} << 30);
  std::ostringstream out;
  CHECK_THROWS_WITH(worker.run(out),
                    Catch::Matchers::Contains(fmt::format(
                        "cannot connect to 127.0.0.1:{}: the actor there is not an evostream "
                        "run's trainer pool",
                        *port)));
  CHECK(out.str().empty());  // nothing was built or joined
  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
}
