#include <catch2/catch.hpp>

#include "model/nn/vit/vit_factory.hpp"
#include "model/train/candidate_trainer.hpp"
#include "model/train/simulation_model.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
namespace config = evostream::config;
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

config::Scenario simulated_scenario() {
  config::Scenario s;
  s.name = "sim";
  s.seed = 3;
  s.root.architecture = micro_arch();
  s.trainers.kind = config::TrainerSpec::Kind::kSimulated;
  config::TaskSpec t;
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
                                 .train(job.components, job.recipe, task, job.seed);
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
  const config::Scenario s = simulated_scenario();
  const auto model = std::make_shared<const SimulationModel>(s);
  const auto trainer = CandidateTrainer::make(micro_settings(40, 16, 20), nullptr, model);
  CHECK(trainer->simulated());
  streams::TaskData task;
  task.spec.name = "t";
  task.num_classes = 3;
  const TrainJob job = head_job(7);
  const TrainResult via = trainer->train(job, task);
  const TrainResult direct =
      model->train(job.components, job.recipe, task, job.seed, micro_settings(40, 16, 20));
  CHECK(via.quality == direct.quality);
  CHECK(via.seconds == direct.seconds);
  // Its estimate is its own cost, at the simulated speed.
  std::vector<const Component*> path;
  for (const auto& c : job.components)
    path.push_back(c.get());
  CHECK(trainer->estimated_flops(job, task) ==
        Approx(model->cost(path, job.recipe, micro_settings(40, 16, 20)) *
               model->spec().flops_per_second));
}

namespace {

// Cross-entropy written out, as a strategy's own objective would be.
class OwnCrossEntropy : public Objective {
 public:
  std::string name() const override { return "own-cross-entropy"; }
  at::Tensor loss(const LossInputs& in) const override {
    return at::nll_loss(at::log_softmax(in.logits, 1), in.labels);
  }
};

// A loss with no gradient: training must leave fresh components as they were.
class Nothing : public Objective {
 public:
  std::string name() const override { return "nothing"; }
  at::Tensor loss(const LossInputs& in) const override { return in.logits.sum() * 0.0; }
};

// Cross-entropy plus a pull of every trained tensor toward zero.
class Shrinking : public Objective {
 public:
  std::string name() const override { return "shrinking"; }
  at::Tensor loss(const LossInputs& in) const override {
    at::Tensor l = at::cross_entropy_loss(in.logits, in.labels);
    for (const auto& c : in.training) {
      for (const auto& t : c.tensors())
        l = l + 10.0 * t.pow(2).sum();
    }
    return l;
  }
};

}  // namespace

TEST_CASE("A candidate's training minimises its objective", "[model][train]") {
  const streams::TaskData task = synthetic_task("t", 5, 3);
  const auto trainer = CandidateTrainer::make(micro_settings(20, 16, 10));
  const TrainJob plain = head_job(3);
  const TrainResult base = trainer->train(plain, task);
  // The same loss written by a strategy trains to the same bytes.
  TrainJob own = plain;
  own.objective = std::make_shared<const OwnCrossEntropy>();
  const TrainResult same = trainer->train(own, task);
  REQUIRE(same.trained.size() == base.trained.size());
  for (size_t i = 0; i < base.trained.size(); ++i)
    CHECK(same.trained[i].content_hash() == base.trained[i].content_hash());
  // A loss without gradient leaves the trained components as they started.
  TrainJob idle = plain;
  idle.objective = std::make_shared<const Nothing>();
  const TrainResult still = trainer->train(idle, task);
  for (const auto& c : still.trained) {
    for (const auto& start : plain.components) {
      if (start->id() == c.id())
        CHECK(c.content_hash() == start->content_hash());
    }
  }
  // A penalty on the weights shrinks them.
  TrainJob shrink = plain;
  shrink.objective = std::make_shared<const Shrinking>();
  const TrainResult small = trainer->train(shrink, task);
  auto norm = [](const TrainResult& r) {
    double n = 0.0;
    for (const auto& c : r.trained) {
      for (const auto& t : c.tensors())
        n += t.pow(2).sum().item<double>();
    }
    return n;
  };
  CHECK(norm(small) < norm(base));
  CHECK(objective_named("cross-entropy")->name() == "cross-entropy");
  CHECK_THROWS_WITH(objective_named("ewc"),
                    "unknown objective \"ewc\" (expected one of: cross-entropy)");
}
