#include <catch2/catch.hpp>

#include "model/nn/vit/vit_factory.hpp"
#include "model/train/dispatch_order.hpp"
#include "model/train/prefix_cache.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
namespace streams = evostream::streams;
using namespace evostream::testing;

namespace {

// The micro root's path for a task of `classes` classes, frozen except for its new head and,
// from block `trained_from` on (depth 2: none when 2), trainable clones of the blocks.
Candidate candidate(int64_t trained_from, int64_t classes = 3) {
  Candidate c;
  for (Component& r : VitFactory::root(micro_arch(), classes, "root", 1)) {
    const bool block = r.kind() == ComponentKind::kBlock;
    if (block && r.index() >= trained_from) {
      c.components.push_back(
          std::make_shared<const Component>(r.clone("t/block" + std::to_string(r.index()), "t")));
    } else if (r.kind() == ComponentKind::kHead) {
      c.components.push_back(
          std::make_shared<const Component>(VitFactory::head("t/head", "t", 16, classes)));
    } else {
      r.freeze();
      c.components.push_back(std::make_shared<const Component>(std::move(r)));
    }
  }
  return c;
}

double estimate(const Trainer& t, const Candidate& c, const streams::TaskData& task,
                int64_t steps = 0) {
  return t.estimated_flops(pointers(c.components), c.path.recipe, task, steps);
}

}  // namespace

TEST_CASE("A trainer's estimate grows with the steps and with how much of the path trains",
          "[model][dispatch]") {
  const streams::TaskData task = synthetic_task("t", 3, 3, 10);
  const Trainer trainer(micro_settings(), std::make_shared<PrefixCache>());
  const Candidate head_only = candidate(2);
  const Candidate top_block = candidate(1);
  const Candidate both_blocks = candidate(0);
  CHECK(estimate(trainer, head_only, task) > 0.0);
  CHECK(estimate(trainer, top_block, task) > estimate(trainer, head_only, task));
  CHECK(estimate(trainer, both_blocks, task) > estimate(trainer, top_block, task));
  CHECK(estimate(trainer, top_block, task, 80) > 1.9 * estimate(trainer, top_block, task, 40));
  CHECK(estimate(trainer, top_block, task, 40) == estimate(trainer, top_block, task));
}

TEST_CASE("A cached frozen prefix lowers the estimate only for a deterministic input",
          "[model][dispatch]") {
  const streams::TaskData task = synthetic_task("t", 3, 3, 10);
  const Trainer cached(micro_settings(), std::make_shared<PrefixCache>());
  const Trainer uncached(micro_settings());
  Candidate plain = candidate(1);
  Candidate flipped = candidate(1);
  flipped.path.recipe.flip = true;
  CHECK(estimate(cached, plain, task) < estimate(cached, flipped, task));
  CHECK(estimate(uncached, plain, task) == estimate(uncached, flipped, task));
  CHECK(estimate(cached, flipped, task) == estimate(uncached, flipped, task));
}

TEST_CASE("A batch goes to the trainers longest expected first with ties in batch order",
          "[model][dispatch]") {
  const streams::TaskData task = synthetic_task("t", 3, 3, 10);
  const auto trainer = CandidateTrainer::make(micro_settings(), std::make_shared<PrefixCache>());
  const std::vector<Candidate> batch{candidate(2), candidate(1), candidate(2), candidate(0)};
  CHECK(DispatchOrder::longest_first(batch, task, *trainer) == std::vector<size_t>{3, 1, 0, 2});
  CHECK(DispatchOrder::longest_first({}, task, *trainer).empty());
}
