#include <catch2/catch.hpp>

#include "model/strategies/mu2net/evolver.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
using evostream::testing::micro_arch;

namespace {

struct World {
  ParameterStore store;
  ComponentUsage usage;
  Path root;
  double root_params = 0.0;
  SearchSpace space{micro_arch()};
  std::map<std::string, int64_t> offspring;

  World() {
    auto comps = VitFactory::root(micro_arch(), 3, "root", 5);
    root.name = "root";
    root.task = "root";
    for (const auto& c : comps) {
      root.ids.push_back(c.id());
      if (c.kind() != ComponentKind::kHead)
        root_params += static_cast<double>(c.num_params());
    }
    store.commit("root", std::move(comps));
  }

  Evolver evolver(const std::string& task, EvolutionSettings s = {}) {
    s.generations = 2;
    s.children = 3;
    return Evolver(store, usage, {&root}, std::nullopt, offspring, space, micro_arch(), task, 4,
                   root_params, s);
  }
};

// Settings with search candidates of 10 steps and a final candidate of 70.
EvolutionSettings with_final() {
  EvolutionSettings s;
  s.candidate_steps = 10;
  s.final_steps = 70;
  return s;
}

// A training result with a given quality and no trained tensors (acceptance only).
TrainResult quality(double q) {
  TrainResult r;
  r.quality = q;
  return r;
}

}  // namespace

TEST_CASE("The first generation descends from the seeds with fresh heads", "[model][evolution]") {
  World w;
  Evolver e = w.evolver("t");
  const auto children = e.propose(0);
  REQUIRE(children.size() == 3);
  for (const auto& c : children) {
    CHECK(c.path.parent == "root");
    CHECK_FALSE(c.parent_same_task);
    CHECK(c.path.ids.size() == c.components.size());
    const auto& head = c.components.back();
    CHECK(head->kind() == ComponentKind::kHead);
    CHECK(head->owner() == "t");
    CHECK(head->tensors()[0].size(0) == 4);
    CHECK_FALSE(head->frozen());
    for (const auto& comp : c.components)
      CHECK((comp->frozen() ? w.store.contains(comp->id()) : comp->owner() == "t"));
  }
  CHECK(children[1].path.name == "t@0.0.1");
  CHECK(w.offspring["root"] == 3);
}

TEST_CASE("The same seed proposes the same children", "[model][evolution]") {
  World a;
  World b;
  Evolver ea = a.evolver("t");
  Evolver eb = b.evolver("t");
  const auto ca = ea.propose(0);
  const auto cb = eb.propose(0);
  for (size_t i = 0; i < ca.size(); ++i) {
    CHECK(ca[i].path.ids == cb[i].path.ids);
    CHECK(ca[i].path.recipe.learning_rate == cb[i].path.recipe.learning_rate);
    CHECK(ca[i].training_seed == cb[i].training_seed);
  }
  EvolutionSettings other;
  other.seed = 2;
  World c;
  Evolver ec = c.evolver("t", other);
  CHECK(ec.propose(0)[0].training_seed != ca[0].training_seed);
}

TEST_CASE("Children of the task's own paths are kept only if they beat their parent",
          "[model][evolution]") {
  World w;
  Evolver e = w.evolver("t");
  const auto first = e.propose(0);
  CHECK(e.record(first[0], quality(0.50)).kept);  // cross-task parent: always kept
  CHECK(e.record(first[1], quality(0.10)).kept);
  CHECK(e.record(first[2], quality(0.70)).kept);
  CHECK(e.best().name == "t@0.0.2");
  const auto second = e.propose(1);
  for (const auto& c : second) {
    if (!c.parent_same_task)
      continue;
    const bool beats = e.record(c, quality(c.parent_score + 0.01)).kept;
    CHECK(beats);
    CHECK_FALSE(e.record(c, quality(c.parent_score)).kept);
  }
  // The best own path (0.70, no children yet) is always the first parent of generation 1.
  CHECK(second[0].path.parent == "t@0.0.2");
}

TEST_CASE("The best path's new components are what the task commits", "[model][evolution]") {
  World w;
  Evolver e = w.evolver("t");
  for (const auto& c : e.propose(0))
    e.record(c, quality(0.5));
  const auto added = e.new_components();
  REQUIRE_FALSE(added.empty());
  for (const auto& c : added) {
    CHECK(c.owner() == "t");
    CHECK_FALSE(w.store.contains(c.id()));
  }
  w.store.commit("t", added);
  CHECK(w.store.contains(e.best().ids.back()));
}

TEST_CASE("A trained component that is not on the path is refused", "[model][evolution]") {
  World w;
  Evolver e = w.evolver("t");
  const auto c = e.propose(0);
  TrainResult r = quality(0.5);
  r.trained.push_back(VitFactory::head("elsewhere/head", "t", 16, 4));
  CHECK_THROWS_WITH(e.record(c[0], r), Catch::Contains("is not on path t@0.0.0"));
}

TEST_CASE("The final candidate trains the best path on, unmutated, for the final steps",
          "[model][evolution]") {
  World w;
  Evolver e = w.evolver("t", with_final());
  const auto first = e.propose(0);
  for (const auto& c : first)
    CHECK(c.steps == 10);
  e.record(first[0], quality(0.40));
  e.record(first[1], quality(0.60));
  e.record(first[2], quality(0.50));
  const auto last = e.propose_final(2);
  REQUIRE(last.size() == 1);
  const Candidate& f = last[0];
  CHECK(f.steps == 70);
  CHECK(f.path.name == "t@0.2.0");
  CHECK(f.path.parent == "t@0.0.1");
  CHECK(f.parent_same_task);
  CHECK(f.mutations == 0);
  CHECK(f.changes.empty());
  CHECK(f.path.recipe.learning_rate == first[1].path.recipe.learning_rate);
  CHECK(f.path.recipe.extra("mu") == first[1].path.recipe.extra("mu"));
  REQUIRE(f.components.size() == first[1].components.size());
  for (size_t i = 0; i < f.components.size(); ++i) {
    // The same components: what the parent shared it shares, what it trained trains on.
    const auto& parent = first[1].components[i];
    CHECK(f.components[i]->kind() == parent->kind());
    CHECK(f.components[i]->frozen() == parent->frozen());
    if (parent->frozen())
      CHECK(f.components[i]->id() == parent->id());
  }
  CHECK(w.offspring["t@0.0.1"] == 1);
  // Kept only if it beats that path, as every candidate of the task.
  CHECK_FALSE(e.record(f, quality(0.60)).kept);
  CHECK(e.best().name == "t@0.0.1");
  CHECK(e.record(f, quality(0.65)).kept);
  CHECK(e.best().name == "t@0.2.0");
}

TEST_CASE("With keep_final the final candidate is committed even when it scores lower",
          "[model][evolution]") {
  World w;
  EvolutionSettings s = with_final();
  s.keep_final = true;
  Evolver e = w.evolver("t", s);
  const auto first = e.propose(0);
  e.record(first[0], quality(0.40));
  e.record(first[1], quality(0.60));
  e.record(first[2], quality(0.50));
  // Before the final candidate the best score decides, as without the option.
  CHECK(e.best().name == "t@0.0.1");
  const auto last = e.propose_final(2);
  REQUIRE(last.size() == 1);
  const CandidateRecord r = e.record(last[0], quality(0.55));
  CHECK(r.kept);
  CHECK(e.best().name == "t@0.2.0");
  CHECK(e.best_score() < 0.60);
  // Its new components are what the task commits.
  for (const auto& c : e.new_components())
    CHECK(c.id().find("@0.2.0") != std::string::npos);
}

TEST_CASE("Without final steps or a kept path there is no final candidate", "[model][evolution]") {
  World w;
  Evolver none = w.evolver("t");
  for (const auto& c : none.propose(0))
    none.record(c, quality(0.5));
  CHECK(none.propose_final(2).empty());
  EvolutionSettings s;
  s.final_steps = 30;
  World v;
  Evolver empty = v.evolver("t", s);
  CHECK(empty.propose_final(0).empty());
}

TEST_CASE("With a continued schedule each generation trains its stretch of one schedule",
          "[model][evolution]") {
  World w;
  EvolutionSettings s = with_final();
  s.continue_schedule = true;
  Evolver e = w.evolver("t", s);  // 2 generations of 3 children
  for (int64_t g = 0; g < 2; ++g) {
    for (const auto& c : e.propose(g)) {
      CHECK(c.schedule_offset == 10 * g);
      CHECK(c.schedule_steps == 2 * 10 + 70);
      e.record(c, quality(0.4 + 0.1 * static_cast<double>(g)));
    }
  }
  const auto last = e.propose_final(2);
  REQUIRE(last.size() == 1);
  CHECK(last[0].schedule_offset == 20);
  CHECK(last[0].steps == 70);
  CHECK(last[0].schedule_steps == 90);
  // Without it every candidate has a schedule of its own.
  World v;
  s.continue_schedule = false;
  Evolver own = v.evolver("t", s);
  for (const auto& c : own.propose(0)) {
    CHECK(c.schedule_offset == 0);
    CHECK(c.schedule_steps == 0);
  }
}
