// Actor tests on CAF's deterministic test scheduler: nothing runs until the test runs it, and
// time is virtual, so message order and timing are checked exactly.

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <catch2/catch.hpp>

#include "actors/blob_codec.hpp"
#include "actors/messages.hpp"
#include "actors/parameter_owner.hpp"
#include "actors/recorder.hpp"
#include "actors/run_error.hpp"
#include "actors/snapshotter.hpp"
#include "actors/stream_source.hpp"
#include "actors/trainer_actor.hpp"
#include "actors/trainer_pool.hpp"
#include "config/scenario_parser.hpp"
#include "model/model_fixtures.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/root_trainer.hpp"
#include "streams/synthetic_generator.hpp"
#include "streams/task_builder.hpp"

using namespace evostream;
using namespace evostream::actors;

namespace {

// An actor system on the test coordinator, with a hidden scoped actor for the test.
struct TestSystem {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::unique_ptr<caf::scoped_actor> self;

  TestSystem() {
    cfg.add_message_types<caf::id_block::evostream>();
    add_run_errors(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    system = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
    self = std::make_unique<caf::scoped_actor>(*system, true);
  }
  ~TestSystem() {
    self.reset();
    sched->run();
  }

  // The tasks announced so far (drains the test actor's mailbox of arrivals).
  std::vector<int64_t> arrivals() {
    std::vector<int64_t> out;
    bool more = true;
    while (more) {
      (*self)->receive([&](arrive_atom, int64_t e) { out.push_back(e); },
                       caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    }
    return out;
  }

  // The pool's status: (alive, idle, queued, requeued), answered before anything else runs.
  std::vector<int64_t> status(const trainer_pool_actor& pool) {
    auto handle = (*self)->request(pool, caf::infinite, status_atom_v);
    sched->prioritize(pool);
    sched->run_once();
    std::vector<int64_t> out;
    handle.receive(
        [&](int64_t a, int64_t i, int64_t q, int64_t r, double) {
          out = {a, i, q, r};
        },
        [&](caf::error& e) { FAIL(system->render(e)); });
    return out;
  }
};

std::shared_ptr<const std::vector<streams::TaskData>> one_task() {
  config::SyntheticOptions o;
  o.classes = 3;
  o.image_size = 8;
  o.train_per_class = 30;
  o.test_per_class = 5;
  o.seed = 4;
  config::TaskSpec spec;
  spec.name = "s";
  spec.dataset = "s";
  return std::make_shared<const std::vector<streams::TaskData>>(std::vector<streams::TaskData>{
      streams::TaskBuilder::build(spec, streams::SyntheticGenerator(o).generate("s"), 1)});
}

// A job training the head of a fresh micro ViT for a few steps.
local_job job(uint64_t id) {
  auto root = model::VitFactory::root(evostream::testing::micro_arch(), 3, "root", 9);
  for (auto& comp : root) {
    if (comp.kind() != model::ComponentKind::kHead)
      comp.freeze();
  }
  model::Candidate c;
  c.components = model::share(std::move(root));
  c.training_seed = id;
  return {id, 0, std::make_shared<const model::TrainJob>(model::TrainJob::of(c))};
}

TrainerSetup setup() {
  model::TrainSettings s;
  s.steps = 4;
  s.batch_size = 8;
  s.validation_interval = 4;
  s.family = model::vit_family(2);
  TrainerSetup setup;
  setup.tasks = std::make_shared<const evostream::streams::StreamTasks>(one_task());
  setup.trainer = model::CandidateTrainer::make(s);
  return setup;
}

}  // namespace

TEST_CASE("Arrival times add up each task's delay after the one before", "[actors]") {
  CHECK(arrival_times({0.0, 1.5, 0.0, 2.0}) == std::vector<double>{0.0, 1.5, 1.5, 3.5});
  CHECK(arrival_times({}).empty());
}

TEST_CASE("The stream source announces each task at its arrival time on the actor clock",
          "[actors]") {
  TestSystem t;
  const caf::actor source = t.system->spawn(stream_source, std::vector<double>{0.0, 1.5, 0.0, 2.0},
                                            caf::actor_cast<caf::actor>(*t.self));
  (*t.self)->send(source, start_atom_v);
  t.sched->run();
  CHECK(t.arrivals() == std::vector<int64_t>{0});
  t.sched->clock().advance_time(std::chrono::milliseconds(1499));
  t.sched->run();
  CHECK(t.arrivals().empty());
  t.sched->clock().advance_time(std::chrono::milliseconds(1));
  t.sched->run();
  CHECK(t.arrivals() == std::vector<int64_t>{1, 2});
  t.sched->clock().advance_time(std::chrono::seconds(2));
  t.sched->run();
  CHECK(t.arrivals() == std::vector<int64_t>{3});
  (*t.self)->send_exit(source, caf::exit_reason::user_shutdown);
}

TEST_CASE("The pool keeps every trainer busy and queues the rest", "[actors]") {
  TestSystem t;
  std::vector<caf::actor> trainers;
  for (int i = 0; i < 2; ++i)
    trainers.push_back(t.system->spawn(trainer_actor, setup()));
  const auto pool = t.system->spawn(trainer_pool, trainers, WorkerOffer{}, TrainerLoss{});
  t.sched->run();
  CHECK(t.status(pool) == std::vector<int64_t>{2, 2, 0, 0});

  using Handle = decltype((*t.self)->request(pool, caf::infinite, job(0)));
  std::vector<Handle> handles;
  for (uint64_t id = 1; id <= 3; ++id)
    handles.push_back((*t.self)->request(pool, caf::infinite, job(id)));
  // The pool takes the three jobs (one message each) before any trainer runs.
  for (int i = 0; i < 3; ++i) {
    t.sched->prioritize(pool);
    t.sched->run_once();
  }
  CHECK(t.status(pool) == std::vector<int64_t>{2, 0, 1, 0});
  t.sched->run();
  CHECK(t.status(pool) == std::vector<int64_t>{2, 2, 0, 0});
  std::vector<uint64_t> replied;
  for (auto& h : handles) {
    h.receive([&](local_reply& r) { replied.push_back(r.job); },
              [&](caf::error& e) { FAIL(t.system->render(e)); });
  }
  CHECK(replied == std::vector<uint64_t>{1, 2, 3});
  for (auto& tr : trainers)
    (*t.self)->send_exit(tr, caf::exit_reason::user_shutdown);
  (*t.self)->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_CASE("A trainer that dies with a job has the job run by the other", "[actors]") {
  TestSystem t;
  const caf::actor good = t.system->spawn(trainer_actor, setup());
  // A trainer whose process dies as soon as it takes a job.
  const caf::actor crashing = t.system->spawn([](caf::event_based_actor* self) -> caf::behavior {
    return {[self](local_job&) { self->quit(caf::exit_reason::kill); }};
  });
  const auto pool = t.system->spawn(trainer_pool, std::vector<caf::actor>{good, crashing},
                                    WorkerOffer{}, TrainerLoss{});
  t.sched->run();
  auto reply = (*t.self)->request(pool, caf::infinite, job(7));
  t.sched->prioritize(pool);
  t.sched->run_once();
  CHECK(t.status(pool) == std::vector<int64_t>{2, 1, 0, 0});
  // The trainer idle last got the job and runs next: it dies without replying.
  REQUIRE(t.sched->next_job<caf::scheduled_actor>().address() == crashing.address());
  t.sched->run_once();
  t.sched->run();
  uint64_t id = 0;
  reply.receive([&](local_reply& r) { id = r.job; },
                [&](caf::error& e) { FAIL(t.system->render(e)); });
  CHECK(id == 7);
  CHECK(t.status(pool) == std::vector<int64_t>{1, 1, 0, 1});
  (*t.self)->send_exit(good, caf::exit_reason::user_shutdown);
  (*t.self)->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_CASE("The snapshotter writes in commit order and reports a failed write", "[actors]") {
  TestSystem t;
  std::vector<int64_t> written;
  const caf::actor writer = t.system->spawn(
      snapshotter,
      SnapshotWriter([&](const model::ProgressStep& p, const std::vector<model::Component>& added) {
        if (p.events_done == 3)
          throw std::runtime_error("runs/x/snapshots/snapshot-000003.h5: disk full");
        written.push_back(p.events_done * 10 + static_cast<int64_t>(added.size()));
      }));
  auto job = [](int64_t events_done) {
    auto p = std::make_shared<model::ProgressStep>();
    p->events_done = events_done;
    return snapshot_job{p, std::make_shared<const std::vector<model::Component>>()};
  };
  (*t.self)->send(writer, job(1));
  (*t.self)->send(writer, job(2));
  auto count = (*t.self)->request(writer, caf::infinite, status_atom_v);
  t.sched->run();
  count.receive([](int64_t n) { CHECK(n == 2); },
                [&](caf::error& e) { FAIL(t.system->render(e)); });
  CHECK(written == std::vector<int64_t>{10, 20});

  (*t.self)->send(writer, job(3));
  auto after = (*t.self)->request(writer, caf::infinite, status_atom_v);
  t.sched->run();
  std::string error;
  after.receive([](int64_t) {}, [&](caf::error& e) { error = t.system->render(e); });
  CHECK_THAT(error, Catch::Contains("disk full"));
}

TEST_CASE("The recorder runs observer calls one at a time in the order sent", "[actors]") {
  TestSystem t;
  const caf::actor rec = t.system->spawn(recorder);
  std::vector<int> order;
  for (int i = 0; i < 3; ++i)
    (*t.self)->send(rec, observer_call{[&order, i] { order.push_back(i); }});
  auto count = (*t.self)->request(rec, caf::infinite, status_atom_v);
  CHECK(order.empty());
  t.sched->run();
  count.receive([](int64_t n) { CHECK(n == 3); },
                [&](caf::error& e) { FAIL(t.system->render(e)); });
  CHECK(order == std::vector<int>{0, 1, 2});
}

TEST_CASE("The parameter owner begins and commits visits and answers misuse with an error",
          "[actors]") {
  const evostream::testing::SmokeStream smoke;
  config::Scenario scenario = smoke.scenario;
  scenario.strategy.name = "head-only";
  const model::StrategyEnvironment env = model::StrategyEnvironment::of(scenario);
  auto strategy = model::make_strategy(env);
  model::StreamRunner runner(scenario, *strategy, smoke.root);
  const auto& tasks = smoke.tasks;

  TestSystem t;
  const auto owner = t.system->spawn(parameter_owner, &runner,
                                     std::make_shared<const streams::StreamTasks>(tasks), nullptr);
  auto first = (*t.self)->request(owner, caf::infinite, begin_atom_v, int64_t{0});
  auto early = (*t.self)->request(owner, caf::infinite, begin_atom_v, int64_t{1});
  t.sched->run();
  std::shared_ptr<model::TaskVisit> visit;
  first.receive([&](visit_ref& r) { visit = r.visit; },
                [&](caf::error& e) { FAIL(t.system->render(e)); });
  REQUIRE(visit);
  std::string error;
  early.receive([](visit_ref&) {}, [&](caf::error& e) { error = t.system->render(e); });
  CHECK_THAT(error, Catch::Contains("task visit 1 cannot begin"));

  // Train the visit's one candidate here, then commit it through the owner.
  for (auto batch = visit->learner->next(); !batch.empty(); batch = visit->learner->next()) {
    for (const auto& c : batch)
      visit->learner->record(c, strategy->train(c, visit->context->task));
  }
  auto commit = (*t.self)->request(owner, caf::infinite, commit_atom_v, visit_ref{visit});
  t.sched->run();
  commit.receive(
      [](commit_ref& ref) {
        REQUIRE(ref.record);
        CHECK(ref.record->task == "b-all");
        CHECK(ref.record->step.events_done == 1);
        CHECK(ref.record->measured.size() == 1);
        CHECK_FALSE(ref.record->added.empty());
      },
      [&](caf::error& e) { FAIL(t.system->render(e)); });
  CHECK(runner.progress().paths.count("b-all") == 1);
  (*t.self)->send_exit(owner, caf::exit_reason::user_shutdown);
}
