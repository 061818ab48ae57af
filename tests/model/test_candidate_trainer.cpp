#include <catch2/catch.hpp>

#include "model/nn/vit/vit_factory.hpp"
#include "model/train/candidate_trainer.hpp"
#include "model/train/simulation_model.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
namespace streams = evostream::streams;
using namespace evostream::testing;

namespace {

// A job training the head and final norm of a fresh micro root for `classes` classes.
TrainJob head_job(uint64_t seed, int64_t classes = 3) {
  TrainJob job;
  for (Component& c : VitFactory::root(micro_arch(), classes, "root", 4)) {
    if (c.kind() != ComponentKind::kHead && c.kind() != ComponentKind::kFinalNorm)
      c.freeze();
    job.components.push_back(std::make_shared<const Component>(std::move(c)));
  }
  job.seed = seed;
  return job;
}

streams::Scenario simulated_scenario() {
  streams::Scenario s;
  s.name = "sim";
  s.seed = 3;
  s.root.architecture = micro_arch();
  s.trainers.kind = streams::TrainerSpec::Kind::kSimulated;
  streams::TaskSpec t;
  t.name = "t";
  t.dataset = "simulated";
  t.family = 0;
  s.tasks.push_back(t);
  return s;
}

}  // namespace

TEST_CASE("The torch candidate trainer trains a job as the trainer does", "[model][train]") {
  const streams::TaskData task = synthetic_task("t", 5, 3);
  const auto trainer = CandidateTrainer::make(micro_settings(20, 16, 10));
  CHECK_FALSE(trainer->simulated());
  const TrainJob job = head_job(11);
  const TrainResult via = trainer->train(job, task);
  const TrainResult direct = Trainer(micro_settings(20, 16, 10), std::make_shared<PrefixCache>())
                                 .train(job.components, job.hp, task, job.seed);
  CHECK(via.quality == direct.quality);
  REQUIRE(via.trained.size() == direct.trained.size());
  for (size_t i = 0; i < via.trained.size(); ++i)
    CHECK(via.trained[i].content_hash() == direct.trained[i].content_hash());
  CHECK(via.images == 20 * 16);
  // A job's steps override the settings'.
  TrainJob longer = job;
  longer.steps = 30;
  CHECK(trainer->train(longer, task).images == 30 * 16);
  CHECK(trainer->settings_for(longer).steps == 30);
  CHECK(trainer->settings_for(job).steps == 20);
  CHECK(trainer->estimated_flops(longer, task) > trainer->estimated_flops(job, task));
}

TEST_CASE("The simulated candidate trainer answers with the simulation model", "[model][train]") {
  const streams::Scenario s = simulated_scenario();
  const auto model = std::make_shared<const SimulationModel>(s);
  const auto trainer = CandidateTrainer::make(micro_settings(40, 16, 20), nullptr, model);
  CHECK(trainer->simulated());
  streams::TaskData task;
  task.spec.name = "t";
  task.num_classes = 3;
  const TrainJob job = head_job(7);
  const TrainResult via = trainer->train(job, task);
  const TrainResult direct =
      model->train(job.components, job.hp, task, job.seed, micro_settings(40, 16, 20));
  CHECK(via.quality == direct.quality);
  CHECK(via.seconds == direct.seconds);
  // Its estimate is its own cost, at the simulated speed.
  std::vector<const Component*> path;
  for (const auto& c : job.components)
    path.push_back(c.get());
  CHECK(trainer->estimated_flops(job, task) ==
        Approx(model->cost(path, job.hp, micro_settings(40, 16, 20)) *
               model->spec().flops_per_second));
}
