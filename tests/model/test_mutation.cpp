#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "model/strategies/mu2net/mutation.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
using evostream::common::Rng;

namespace {

// The root's path as a parent: embedding, class token, position embedding, 2 blocks, norm, head.
std::vector<ComponentRef> root_parent() {
  return {{"root/patch_embedding", ComponentKind::kPatchEmbedding, -1, "root", true},
          {"root/class_token", ComponentKind::kClassToken, -1, "root", true},
          {"root/position_embedding", ComponentKind::kPositionEmbedding, -1, "root", true},
          {"root/block0", ComponentKind::kBlock, 0, "root", true},
          {"root/block1", ComponentKind::kBlock, 1, "root", true},
          {"root/final_norm", ComponentKind::kFinalNorm, -1, "root", true},
          {"root/head", ComponentKind::kHead, -1, "root", true}};
}

struct Fixture {
  SearchSpace space{evostream::testing::micro_arch()};
  Mutation mutation{space, {"root/block0", "root/block1"}, "t"};
};

int count(const ChildPlan& p, Origin o) {
  int n = 0;
  for (const auto& c : p.components)
    n += c.origin == o;
  return n;
}

}  // namespace

TEST_CASE("With mu 0 a child shares every frozen block and gets a fresh head",
          "[model][evolution]") {
  Fixture f;
  Hyperparameters hp;
  hp.mu = 0.0;
  Rng rng(1);
  const ChildPlan p = f.mutation.plan(root_parent(), hp, rng);
  REQUIRE(p.components.size() == 7);
  CHECK(p.num_layers == 2);
  CHECK(p.mutations == 0);
  CHECK(count(p, Origin::kReuse) == 5);
  // The final norm is always cloned (the reference's force_finetune_components).
  CHECK(p.components[5].origin == Origin::kClone);
  CHECK(p.components[5].source == "root/final_norm");
  // The root's head belongs to another task: never reused.
  CHECK(p.components[6].origin == Origin::kNewHead);
}

TEST_CASE("Components the task trained itself are always cloned", "[model][evolution]") {
  Fixture f;
  auto parent = root_parent();
  parent[4] = {"t/block1@0.0.0", ComponentKind::kBlock, 1, "t", false};
  parent[6] = {"t/head@0.0.0", ComponentKind::kHead, -1, "t", false};
  Hyperparameters hp;
  hp.mu = 0.0;
  Rng rng(2);
  const ChildPlan p = f.mutation.plan(parent, hp, rng);
  CHECK(p.components[4].origin == Origin::kClone);
  CHECK(p.components[4].source == "t/block1@0.0.0");
  CHECK(p.components[6].origin == Origin::kClone);
  CHECK(p.components[6].source == "t/head@0.0.0");
  // A head another task committed is replaced, even with mu 0.
  parent[6] = {"u/head@0.1.0", ComponentKind::kHead, -1, "u", true};
  Rng rng2(2);
  CHECK(f.mutation.plan(parent, hp, rng2).components[6].origin == Origin::kNewHead);
}

TEST_CASE("Each frozen component is cloned with probability about mu", "[model][evolution]") {
  Fixture f;
  Hyperparameters hp;
  hp.mu = 0.2;
  const int n = 4000;
  int cloned_block0 = 0;
  int adapters = 0;
  int depth_changes = 0;
  for (uint64_t s = 0; s < n; ++s) {
    Rng rng(s);
    const ChildPlan p = f.mutation.plan(root_parent(), hp, rng);
    for (const auto& c : p.components) {
      if (c.kind == ComponentKind::kBlock && c.index == 0)
        cloned_block0 += c.origin == Origin::kClone;
      adapters += c.origin == Origin::kNewAdapter;
    }
    depth_changes += p.num_layers != 2;
  }
  // µ itself moves first (to 0.18 or 0.22 with probability 0.2), so its mean stays 0.2.
  CHECK(cloned_block0 == Approx(0.2 * n).margin(0.025 * n));
  // An adapter may be inserted below each of the blocks used.
  CHECK(adapters == Approx(n * 0.2 * 2).margin(0.05 * n));
  // The depth draw fires with µ; from 2 of 2 blocks only the step down changes it.
  CHECK(depth_changes == Approx(0.1 * n).margin(0.02 * n));
}

TEST_CASE("A bottom clone probability above mu clones the embeddings and block 0 that often",
          "[model][evolution]") {
  SearchSpace space{evostream::testing::micro_arch()};
  Mutation plain{space, {"root/block0", "root/block1"}, "t"};
  Mutation below{space, {"root/block0", "root/block1"}, "t", false, 0.1};
  Mutation bottom{space, {"root/block0", "root/block1"}, "t", false, 0.6};
  Hyperparameters hp;
  hp.mu = 0.2;
  const int n = 4000;
  std::map<std::string, int> cloned;
  for (uint64_t s = 0; s < n; ++s) {
    Rng a(s);
    Rng b(s);
    // Below µ nothing changes: the same draws, the same child.
    const ChildPlan p = plain.plan(root_parent(), hp, a);
    const ChildPlan q = below.plan(root_parent(), hp, b);
    REQUIRE(p.changes == q.changes);
    Rng c(s);
    for (const auto& component : bottom.plan(root_parent(), hp, c).components)
      cloned[component.source] += component.origin == Origin::kClone;
  }
  for (const char* id :
       {"root/patch_embedding", "root/class_token", "root/position_embedding", "root/block0"})
    CHECK(cloned[id] == Approx(0.6 * n).margin(0.03 * n));
  // Higher blocks keep µ.
  CHECK(cloned["root/block1"] == Approx(0.2 * n).margin(0.025 * n));
  // Without mutating (the final candidate) nothing is drawn at all.
  Rng d(1);
  CHECK(count(bottom.plan(root_parent(), hp, d, false), Origin::kReuse) == 5);
}

TEST_CASE("Changing the number of blocks drops or restores blocks from the root",
          "[model][evolution]") {
  Fixture f;
  Hyperparameters hp;
  hp.mu = 0.3;
  auto one_block = root_parent();
  one_block.erase(one_block.begin() + 4);  // the parent uses block0 only
  bool grew = false;
  bool shrank = false;
  for (uint64_t s = 0; s < 400 && !(grew && shrank); ++s) {
    Rng rng(s);
    const ChildPlan p = f.mutation.plan(one_block, hp, rng);
    if (p.num_layers == 2) {
      grew = true;
      bool restored = false;
      for (const auto& c : p.components)
        restored |= c.kind == ComponentKind::kBlock && c.index == 1 && c.source == "root/block1";
      CHECK(restored);
    }
    Rng rng2(s);
    const ChildPlan q = f.mutation.plan(root_parent(), hp, rng2);
    if (q.num_layers == 1) {
      shrank = true;
      for (const auto& c : q.components)
        CHECK_FALSE((c.kind == ComponentKind::kBlock && c.index == 1));
    }
  }
  CHECK(grew);
  CHECK(shrank);
}

TEST_CASE("Inserted adapters sit before their block and the same seed plans the same child",
          "[model][evolution]") {
  Fixture f;
  Hyperparameters hp;
  hp.mu = 0.3;
  for (uint64_t s = 0; s < 200; ++s) {
    Rng a(s);
    Rng b(s);
    const ChildPlan p = f.mutation.plan(root_parent(), hp, a);
    const ChildPlan q = f.mutation.plan(root_parent(), hp, b);
    REQUIRE(p.components.size() == q.components.size());
    for (size_t i = 0; i < p.components.size(); ++i) {
      CHECK(p.components[i].origin == q.components[i].origin);
      if (p.components[i].origin == Origin::kNewAdapter) {
        REQUIRE(i + 1 < p.components.size());
        CHECK(p.components[i + 1].kind == ComponentKind::kBlock);
        CHECK(p.components[i + 1].index == p.components[i].index);
      }
    }
    CHECK(p.hp.train.learning_rate == q.hp.train.learning_rate);
  }
}

TEST_CASE("An incomplete parent is refused", "[model][evolution]") {
  Fixture f;
  auto parent = root_parent();
  parent.pop_back();
  Rng rng(1);
  CHECK_THROWS_WITH(f.mutation.plan(parent, Hyperparameters{}, rng),
                    Catch::Contains("not a complete ViT"));
}

TEST_CASE("A child records what each of its mutations changed", "[model][evolution]") {
  Fixture f;
  Hyperparameters hp;
  hp.mu = 1.0;  // the parent's; the child's own µ may move too
  const auto has = [](const ChildPlan& p, const std::string& change) {
    return std::count(p.changes.begin(), p.changes.end(), change) == 1;
  };
  int64_t clones = 0, adapters = 0, moves = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    const ChildPlan p = f.mutation.plan(root_parent(), hp, rng);
    INFO("seed " << seed << ": " << fmt::format("{}", fmt::join(p.changes, "; ")));
    size_t expected = 0;
    // Each frozen component cloned (the final norm always is: no mutation) and each adapter
    // inserted is named once.
    for (const auto& c : p.components) {
      if (c.origin == Origin::kClone && c.source != "root/final_norm") {
        CHECK(has(p, "clone " + c.source));
        ++expected;
        ++clones;
      } else if (c.origin == Origin::kNewAdapter) {
        CHECK(has(p, fmt::format("adapter at block {}", c.index)));
        ++expected;
        ++adapters;
      }
    }
    if (p.num_layers != 2) {
      CHECK(has(p, fmt::format("blocks 2 → {}", p.num_layers)));
      ++expected;
    }
    // The rest are hyperparameters that moved, "name before → after".
    for (const auto& c : p.changes) {
      if (c.rfind("clone ", 0) != 0 && c.rfind("adapter at", 0) != 0 &&
          c.rfind("blocks ", 0) != 0) {
        CHECK(c.find(" → ") != std::string::npos);
        ++expected;
        ++moves;
      }
    }
    CHECK(p.changes.size() == expected);
    CHECK(static_cast<int64_t>(p.changes.size()) <= p.mutations);
  }
  CHECK(clones > 0);
  CHECK(adapters > 0);
  CHECK(moves > 0);
  // With µ 0 nothing changes.
  hp.mu = 0.0;
  Rng still(3);
  CHECK(f.mutation.plan(root_parent(), hp, still).changes.empty());
}

TEST_CASE("A root that was never trained is always cloned, never shared frozen",
          "[model][evolution]") {
  SearchSpace space{evostream::testing::micro_arch()};
  const Mutation cloning{space, {"root/block0", "root/block1"}, "t", true};
  Hyperparameters hp;
  hp.mu = 0.0;
  Rng rng(4);
  const ChildPlan p = cloning.plan(root_parent(), hp, rng);
  REQUIRE(p.components.size() == 7);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(p.components[i].origin == Origin::kClone);
    CHECK(p.components[i].source == root_parent()[i].id);
  }
  CHECK(p.components[6].origin == Origin::kNewHead);
  // A forced clone is no mutation.
  CHECK(p.mutations == 0);
  // Another task's frozen block is still shared (mu 0): only the root's are forced.
  auto parent = root_parent();
  parent[3] = {"u/block0@0.1.0", ComponentKind::kBlock, 0, "u", true};
  Rng rng2(4);
  CHECK(cloning.plan(parent, hp, rng2).components[3].origin == Origin::kReuse);
}

TEST_CASE("Without mutating, a child is its parent with the task's own components cloned",
          "[model][evolution]") {
  Fixture f;
  auto parent = root_parent();
  parent[3] = {"t/block0@0.0.0", ComponentKind::kBlock, 0, "t", false};
  parent[6] = {"t/head@0.0.0", ComponentKind::kHead, -1, "t", false};
  Hyperparameters hp;
  hp.mu = 0.30;  // the largest µ: a mutating child would almost surely change something
  hp.train.learning_rate = 0.02;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    const ChildPlan p = f.mutation.plan(parent, hp, rng, false);
    CHECK(p.mutations == 0);
    CHECK(p.changes.empty());
    CHECK(p.num_layers == 2);
    CHECK(p.hp.train.learning_rate == 0.02);
    CHECK(p.hp.mu == 0.30);
    REQUIRE(p.components.size() == 7);
    CHECK(p.components[0].origin == Origin::kReuse);
    CHECK(p.components[3].origin == Origin::kClone);
    CHECK(p.components[4].origin == Origin::kReuse);
    CHECK(p.components[6].origin == Origin::kClone);
  }
}
