#include <catch2/catch.hpp>

#include "model/model_fixtures.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/train/simulation_model.hpp"

using namespace evostream;
using evostream::testing::micro_arch;

namespace {

// A simulated scenario over the micro ViT: tasks a0, a1 in family 0, b0 in family 1.
config::Scenario scenario() {
  config::Scenario s;
  s.name = "sim";
  s.seed = 3;
  s.root.architecture = micro_arch();
  s.trainers.kind = config::TrainerSpec::Kind::kSimulated;
  s.simulation.families = 2;
  s.simulation.spread = 0.2;
  for (const auto& [name, family] :
       std::vector<std::pair<std::string, int64_t>>{{"a0", 0}, {"a1", 0}, {"b0", 1}}) {
    config::TaskSpec t;
    t.name = name;
    t.dataset = "simulated";
    t.family = family;
    s.tasks.push_back(t);
  }
  return s;
}

streams::TaskData task(const std::string& name) {
  streams::TaskData t;
  t.spec.name = name;
  t.num_classes = 4;
  return t;
}

// A path for task `a1`: the root's embedding, block 0 owned by `block_owner`, a trainable clone
// of block 1 and a fresh head.
struct Candidate {
  std::vector<model::Component> root = model::VitFactory::root(micro_arch(), 4, "root", 1);
  std::vector<std::shared_ptr<const model::Component>> path;

  explicit Candidate(const std::string& block_owner) {
    for (auto& c : root) {
      if (c.kind() == model::ComponentKind::kHead)
        continue;
      if (c.kind() == model::ComponentKind::kBlock && c.index() == 0) {
        model::Component b = c.clone(block_owner + "/block0", block_owner);
        b.freeze();
        path.push_back(std::make_shared<const model::Component>(std::move(b)));
      } else if (c.kind() == model::ComponentKind::kBlock) {
        path.push_back(std::make_shared<const model::Component>(c.clone("a1/block1", "a1")));
      } else {
        c.freeze();
        path.push_back(std::make_shared<const model::Component>(c));
      }
    }
    path.push_back(std::make_shared<const model::Component>(
        model::VitFactory::head("a1/head", "a1", micro_arch().dim, 4)));
  }
};

model::TrainSettings settings(int64_t steps) {
  model::TrainSettings s;
  s.steps = steps;
  s.batch_size = 16;
  s.validation_interval = 10;
  return s;
}

}  // namespace

TEST_CASE("Simulated tasks of one family are more related than tasks of two",
          "[model][simulation]") {
  const model::SimulationModel m(scenario());
  CHECK(m.relatedness("a0", "a0") == 1.0);
  CHECK(m.relatedness("a0", "root") == 0.5);
  CHECK(m.relatedness("a0", "") == 0.0);
  CHECK(m.relatedness("a0", "a1") == m.relatedness("a1", "a0"));
  CHECK(m.relatedness("a0", "a1") > m.relatedness("a0", "b0"));
  CHECK(m.relatedness("a0", "a1") > 0.8);
  CHECK(m.relatedness("a0", "b0") >= 0.0);
}

TEST_CASE("Reusing a related task's block gives a simulated candidate a higher quality",
          "[model][simulation]") {
  const model::SimulationModel m(scenario());
  const Candidate related("a0");
  const Candidate unrelated("b0");
  const auto a1 = task("a1");
  const double from_related =
      m.accuracy(model::pointers(related.path), model::TrainRecipe{}, a1, 50);
  const double from_unrelated =
      m.accuracy(model::pointers(unrelated.path), model::TrainRecipe{}, a1, 50);
  CHECK(from_related > from_unrelated);
  // Training longer closes the gap of the trained block and the head.
  CHECK(m.accuracy(model::pointers(related.path), {}, a1, 400) > from_related);
  // Everything stays between chance and the ceiling.
  CHECK(from_unrelated >= 0.25);
  CHECK(from_related <= 0.98);
}

TEST_CASE("Simulated cost grows with the steps and with what trains", "[model][simulation]") {
  const model::SimulationModel m(scenario());
  const Candidate c("a0");
  const auto path = model::pointers(c.path);
  const double short_run = m.cost(path, {}, settings(20));
  CHECK(short_run > 0.0);
  CHECK(m.cost(path, {}, settings(40)) > 1.9 * short_run);
  std::vector<model::Component> frozen;
  for (const auto* p : path) {
    frozen.push_back(*p);
    if (p->kind() != model::ComponentKind::kHead && !frozen.back().frozen())
      frozen.back().freeze();
  }
  std::vector<const model::Component*> fewer;
  for (const auto& f : frozen)
    fewer.push_back(&f);
  CHECK(m.cost(fewer, {}, settings(20)) < short_run);
}

TEST_CASE("Simulated training is fixed by its seed and costs virtual seconds",
          "[model][simulation]") {
  const model::SimulationModel m(scenario());
  const Candidate c("a0");
  const auto a1 = task("a1");
  const auto first = m.train(c.path, {}, a1, 7, settings(30));
  const auto again = m.train(c.path, {}, a1, 7, settings(30));
  const auto other = m.train(c.path, {}, a1, 8, settings(30));
  CHECK(first.quality == again.quality);
  REQUIRE(first.trained.size() == 2);  // the cloned block and the head
  CHECK(first.trained[0].content_hash() == again.trained[0].content_hash());
  CHECK(first.trained[0].content_hash() != other.trained[0].content_hash());
  CHECK(first.trained[0].content_hash() != c.path[3]->content_hash());  // new bytes
  CHECK(first.validations.size() == 3);
  CHECK(first.seconds == Approx(m.cost(model::pointers(c.path), {}, settings(30))));
  CHECK(first.images == 30 * 16);
  std::vector<std::shared_ptr<const model::Component>> frozen;
  for (const auto& p : c.path) {
    model::Component f = *p;
    if (!f.frozen())
      f.freeze();
    frozen.push_back(std::make_shared<const model::Component>(std::move(f)));
  }
  CHECK_THROWS_WITH(m.train(frozen, {}, a1, 7, settings(30)),
                    Catch::Contains("no trainable component"));
}

TEST_CASE("A simulated evaluation's predictions change exactly when the path's bytes do",
          "[model][simulation]") {
  const model::SimulationModel m(scenario());
  const Candidate c("a0");
  const auto a1 = task("a1");
  const auto e1 = m.evaluate(c.path, {}, a1, 50);
  const auto e2 = m.evaluate(c.path, {}, a1, 50);
  CHECK(e1.accuracy == e2.accuracy);
  CHECK(e1.predictions_hash == e2.predictions_hash);
  auto changed = c.path;
  changed[3] =
      std::make_shared<const model::Component>(m.train(c.path, {}, a1, 1, settings(10)).trained[0]);
  CHECK(m.evaluate(changed, {}, a1, 50).predictions_hash != e1.predictions_hash);
}
