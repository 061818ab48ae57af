#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/core/parameter_store.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/train/prefix_cache.hpp"
#include "model/train/root_trainer.hpp"
#include "model/train/trainer.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
using namespace evostream::testing;
namespace config = evostream::config;
namespace streams = evostream::streams;

TEST_CASE("The prefix cache computes once and answers later lookups", "[model]") {
  PrefixCache cache(1 << 20);
  int computed = 0;
  auto make = [&] {
    ++computed;
    return at::ones({10, 10});
  };
  const at::Tensor a = cache.get("a", 400, make);
  const at::Tensor again = cache.get("a", 400, make);
  CHECK(computed == 1);
  CHECK(again.data_ptr() == a.data_ptr());
  CHECK(cache.hits() == 1);
  CHECK(cache.misses() == 1);
  CHECK(cache.bytes() == 400);
}

TEST_CASE("The prefix cache drops the least recently used entry beyond its budget", "[model]") {
  PrefixCache cache(1000);
  auto make = [] { return at::zeros({100}); };  // 400 bytes
  cache.get("a", 400, make);
  cache.get("b", 400, make);
  cache.get("a", 400, make);  // a is now the most recent
  cache.get("c", 400, make);  // evicts b
  CHECK(cache.size() == 2);
  CHECK(cache.bytes() == 800);
  const int64_t misses = cache.misses();
  cache.get("a", 400, make);
  CHECK(cache.misses() == misses);
  cache.get("b", 400, make);
  CHECK(cache.misses() == misses + 1);
  CHECK_FALSE(cache.get("huge", 5000, make).defined());
}

namespace {

struct Fixture {
  streams::TaskData pre = synthetic_task("pre", 1, 4);
  streams::TaskData task = synthetic_task("b", 2, 3);
  ParameterStore store;

  Fixture() {
    config::RootSpec r;
    r.architecture = micro_arch();
    r.steps = 100;
    r.batch_size = 32;
    r.learning_rate = 0.003;
    store.commit("root", RootTrainer(r).train(pre, 1));
  }

  // Root prefix, block 1 cloned or frozen, new head.
  std::vector<std::shared_ptr<const Component>> path(bool clone_top) const {
    auto p = store.resolve({"root/patch_embedding", "root/class_token", "root/position_embedding",
                            "root/block0", "root/block1", "root/final_norm"});
    if (clone_top)
      p[4] = std::make_shared<const Component>(p[4]->clone("b/block1", "b"));
    p.push_back(std::make_shared<const Component>(VitFactory::head("b/head", "b", 16, 3)));
    return p;
  }
};

}  // namespace

TEST_CASE("Training from cached prefixes learns and does not depend on the cache's history",
          "[model]") {
  Fixture fx;
  auto fresh = std::make_shared<PrefixCache>();
  const TrainResult a = Trainer(micro_settings(), fresh).train(fx.path(true), {}, fx.task, 5);
  CHECK(fresh->misses() == 2);  // train and validation prefixes
  CHECK(a.quality > 0.5);

  // Another cache that first served a head-only candidate and the same candidate before.
  auto used = std::make_shared<PrefixCache>();
  Trainer(micro_settings(), used).train(fx.path(false), {}, fx.task, 9);
  Trainer(micro_settings(), used).train(fx.path(true), {}, fx.task, 6);
  const TrainResult b = Trainer(micro_settings(), used).train(fx.path(true), {}, fx.task, 5);
  CHECK(used->hits() >= 2);
  CHECK(a.quality == b.quality);
  for (size_t i = 0; i < a.trained.size(); ++i) {
    CHECK(a.trained[i].content_hash() == b.trained[i].content_hash());
  }
}

TEST_CASE("Augmented candidates bypass the prefix cache", "[model]") {
  Fixture fx;
  auto cache = std::make_shared<PrefixCache>();
  TrainRecipe recipe;
  recipe.flip = true;
  Trainer(micro_settings(), cache).train(fx.path(true), recipe, fx.task, 5);
  CHECK(cache->size() == 0);
}

TEST_CASE("A head-only candidate caches the class token alone", "[model]") {
  Fixture fx;
  auto cache = std::make_shared<PrefixCache>();
  const TrainResult r = Trainer(micro_settings(), cache).train(fx.path(false), {}, fx.task, 5);
  CHECK(r.trained.size() == 1);
  // One token of width 16 per training and validation image.
  CHECK(cache->bytes() == (fx.task.train.size() + fx.task.validation.size()) * 16 * 4);
}
