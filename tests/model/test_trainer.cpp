#include <catch2/catch.hpp>

#include "model/core/parameter_store.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/nn/vit/vit_function.hpp"
#include "model/train/evaluator.hpp"
#include "model/train/root_trainer.hpp"
#include "model/train/trainer.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
namespace config = evostream::config;
namespace streams = evostream::streams;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

config::RootSpec micro_root(int64_t steps) {
  config::RootSpec r;
  r.architecture = micro_arch();
  r.steps = steps;
  r.batch_size = 32;
  r.learning_rate = 0.003;
  return r;
}

TrainSettings small_settings(int64_t steps) {
  return micro_settings(steps, 32, 25);
}

// A store holding a micro root trained on `task`.
ParameterStore store_with_root(const streams::TaskData& task) {
  ParameterStore store;
  store.commit("root", RootTrainer(micro_root(300)).train(task, 1));
  return store;
}

// The root's path with `head` instead of the root head and block 1 cloned for `owner`.
std::vector<std::shared_ptr<const Component>> child_path(const ParameterStore& store,
                                                         const std::string& owner,
                                                         int64_t classes) {
  auto path = store.resolve({"root/patch_embedding", "root/class_token", "root/position_embedding",
                             "root/block0", "root/block1", "root/final_norm"});
  path[4] = std::make_shared<const Component>(path[4]->clone(owner + "/block1", owner));
  path.push_back(
      std::make_shared<const Component>(VitFactory::head(owner + "/head", owner, 16, classes)));
  return path;
}

std::vector<const Component*> committed_path(const ParameterStore& store,
                                             const std::vector<std::string>& ids,
                                             std::vector<std::shared_ptr<const Component>>& keep) {
  keep = store.resolve(ids);
  return pointers(keep);
}

}  // namespace

TEST_CASE("A root trained from scratch learns a synthetic task", "[model]") {
  const auto task = synthetic_task("pre", 1, 4);
  TrainResult r;
  std::vector<Component> root = RootTrainer(micro_root(300)).train(task, 1, {}, &r);
  INFO("validation accuracy " << r.quality);
  CHECK(r.quality > 0.8);
  CHECK(root.size() == 7);
  CHECK(r.validations.size() == 10);
  CHECK(r.images == 300 * 32);
  auto h = share(std::move(root));
  const Evaluation test = Evaluator::evaluate(*vit_family(2)->bind(pointers(h)), task.test);
  CHECK(test.accuracy > 0.75);
}

TEST_CASE("Training is deterministic for a candidate seed", "[model]") {
  const auto pre = synthetic_task("pre", 1, 4);
  const auto task = synthetic_task("b", 2, 3);
  const ParameterStore store = store_with_root(pre);
  TrainRecipe recipe;
  recipe.flip = true;
  recipe.brightness = 0.1;
  recipe.crop_area_min = 0.5;
  const Trainer trainer(small_settings(50));
  const auto a = trainer.train(child_path(store, "b", 3), recipe, task, 7);
  const auto b = trainer.train(child_path(store, "b", 3), recipe, task, 7);
  const auto c = trainer.train(child_path(store, "b", 3), recipe, task, 8);
  REQUIRE(a.trained.size() == 2);
  CHECK(a.quality == b.quality);
  for (size_t i = 0; i < a.trained.size(); ++i) {
    CHECK(a.trained[i].content_hash() == b.trained[i].content_hash());
  }
  CHECK(a.trained[1].content_hash() != c.trained[1].content_hash());
  CHECK(a.trained[0].parent() == "root/block1");
}

TEST_CASE("A training that is a stretch of a longer schedule trains with that stretch's rates",
          "[model]") {
  const auto pre = synthetic_task("pre", 1, 4);
  const auto task = synthetic_task("b", 2, 3);
  const ParameterStore store = store_with_root(pre);
  const TrainRecipe recipe;  // cosine with warmup
  TrainSettings own = small_settings(20);
  const auto a = Trainer(own).train(child_path(store, "b", 3), recipe, task, 7);
  // The whole of a schedule as long as the training is the training's own schedule.
  TrainSettings whole = own;
  whole.schedule_steps = 20;
  const auto b = Trainer(whole).train(child_path(store, "b", 3), recipe, task, 7);
  // The second half of a schedule twice as long: past the warmup, decaying to zero.
  TrainSettings late = own;
  late.schedule_offset = 20;
  late.schedule_steps = 40;
  const auto c = Trainer(late).train(child_path(store, "b", 3), recipe, task, 7);
  REQUIRE(a.trained.size() == 2);
  for (size_t i = 0; i < a.trained.size(); ++i)
    CHECK(a.trained[i].content_hash() == b.trained[i].content_hash());
  // Lower rates move the fresh head less from where it started.
  const Component fresh = VitFactory::head("b/head", "b", 16, 3);
  auto moved = [&](const TrainResult& r) {
    double sum = 0.0;
    for (size_t t = 0; t < fresh.tensors().size(); ++t)
      sum += (r.trained[1].tensors()[t] - fresh.tensors()[t]).norm().item<double>();
    return sum;
  };
  INFO("own schedule moved " << moved(a) << ", the late stretch " << moved(c));
  CHECK(moved(c) < 0.8 * moved(a));
}

TEST_CASE("A trained clone keeps its SGD momentum and its children continue from it", "[model]") {
  const auto pre = synthetic_task("pre", 1, 4);
  const auto task = synthetic_task("b", 2, 3);
  const ParameterStore store = store_with_root(pre);
  // The root trains with AdamW: it has no SGD momentum to hand on.
  for (const auto& c : store.resolve({"root/block0", "root/head"}))
    CHECK(c->momentum().empty());
  const Trainer trainer(small_settings(50));
  const auto parent = trainer.train(child_path(store, "b", 3), {}, task, 7);
  REQUIRE(parent.trained.size() == 2);
  for (const auto& c : parent.trained) {
    INFO(c.id());
    REQUIRE(c.momentum().size() == c.tensors().size());
    CHECK(c.momentum()[0].abs().sum().item<double>() > 0.0);
  }
  // A child of the trained path, with the trace and without it.
  auto child = [&](bool with_momentum) {
    auto path = child_path(store, "b", 3);
    for (const auto& t : parent.trained) {
      const Component next = t.clone(t.id() + "@1", "b");
      const auto at = t.id() == "b/block1" ? 4 : 6;
      path[at] = std::make_shared<const Component>(with_momentum ? next : next.with_momentum({}));
    }
    return trainer.train(path, {}, task, 8);
  };
  const auto continued = child(true);
  const auto restarted = child(false);
  CHECK(continued.trained[0].content_hash() != restarted.trained[0].content_hash());
  // Without momentum there is no trace to keep.
  TrainRecipe plain;
  plain.momentum = 0.0;
  for (const auto& c : trainer.train(child_path(store, "b", 3), plain, task, 7).trained)
    CHECK(c.momentum().empty());
}

TEST_CASE("Training leaves frozen components untouched", "[model]") {
  const auto pre = synthetic_task("pre", 1, 4);
  const auto task = synthetic_task("b", 2, 3);
  const ParameterStore store = store_with_root(pre);
  const std::string before = store.content_hash();
  const auto r = Trainer(small_settings(50)).train(child_path(store, "b", 3), {}, task, 1);
  CHECK(r.quality > 0.5);
  CHECK_NOTHROW(store.verify());
  CHECK(store.content_hash() == before);
}

TEST_CASE("After task B commits task A's tensors and predictions are bit-identical", "[model]") {
  const auto pre = synthetic_task("pre", 1, 4);
  const auto task_a = synthetic_task("a", 2, 3);
  const auto task_b = synthetic_task("b", 3, 5);
  ParameterStore store = store_with_root(pre);

  // Task A: clone block 1, new head.
  auto ra = Trainer(small_settings(50)).train(child_path(store, "a", 3), {}, task_a, 11);
  store.commit("a", std::move(ra.trained));
  const std::vector<std::string> path_a = {"root/patch_embedding",
                                           "root/class_token",
                                           "root/position_embedding",
                                           "root/block0",
                                           "a/block1",
                                           "root/final_norm",
                                           "a/head"};
  std::vector<std::shared_ptr<const Component>> keep;
  const auto pred_a =
      Evaluator::evaluate(*vit_family(2)->bind(committed_path(store, path_a, keep)), task_a.test);
  std::vector<std::string> hashes_a;
  for (const auto& id : path_a)
    hashes_a.push_back(store.get(id)->content_hash());

  // Task B reuses A's frozen block 1, adds an adapter before it and trains its own head.
  auto path_b =
      store.resolve({"root/patch_embedding", "root/class_token", "root/position_embedding",
                     "root/block0", "a/block1", "root/final_norm"});
  path_b.insert(path_b.begin() + 4, std::make_shared<const Component>(
                                        VitFactory::adapter("b/adapter1", "b", 1, 16, 8, 5)));
  path_b.push_back(std::make_shared<const Component>(VitFactory::head("b/head", "b", 16, 5)));
  auto rb = Trainer(small_settings(50)).train(path_b, {}, task_b, 12);
  REQUIRE(rb.trained.size() == 2);
  store.commit("b", std::move(rb.trained));

  CHECK_NOTHROW(store.verify());
  for (size_t i = 0; i < path_a.size(); ++i)
    CHECK(store.get(path_a[i])->content_hash() == hashes_a[i]);
  const auto pred_a_after =
      Evaluator::evaluate(*vit_family(2)->bind(committed_path(store, path_a, keep)), task_a.test);
  CHECK(pred_a_after.predictions == pred_a.predictions);
  CHECK(pred_a_after.accuracy == pred_a.accuracy);
}

TEST_CASE("The trainer refuses a path with nothing to train or a head of the wrong width",
          "[model]") {
  const auto pre = synthetic_task("pre", 1, 4);
  const ParameterStore store = store_with_root(pre);
  const auto frozen =
      store.resolve({"root/patch_embedding", "root/class_token", "root/position_embedding",
                     "root/block0", "root/block1", "root/final_norm", "root/head"});
  CHECK_THROWS_WITH(Trainer(small_settings(5)).train(frozen, {}, pre, 1),
                    Contains("no trainable component"));
  const auto task = synthetic_task("b", 2, 3);
  CHECK_THROWS_WITH(Trainer(small_settings(5)).train(child_path(store, "b", 5), {}, task, 1),
                    Contains("head b/head has 5 outputs but task b has 3 classes"));
}

TEST_CASE("The trainer runs on the configured device and refuses CUDA it does not have",
          "[model]") {
  const auto pre = synthetic_task("pre", 1, 4);
  const auto task = synthetic_task("b", 2, 3);
  const ParameterStore store = store_with_root(pre);
  TrainSettings s = small_settings(10);
  s.device = "cpu";
  CHECK(Trainer(s).train(child_path(store, "b", 3), {}, task, 1).trained.size() == 2);
  s.device = "cuda:0";
  if (!at::hasCUDA()) {
    CHECK_THROWS_WITH(Trainer(s).train(child_path(store, "b", 3), {}, task, 1),
                      Contains("device: expected a device this LibTorch can train on") &&
                          Contains("found \"cuda:0\""));
  } else {
    // On a CUDA build: train there, and get CPU components back.
    const auto r = Trainer(s).train(child_path(store, "b", 3), {}, task, 1);
    CHECK(r.quality > 0.3);
    CHECK(r.trained.front().tensors().front().device().is_cpu());
  }
  s.device = "tpu";
  CHECK_THROWS(Trainer(s).train(child_path(store, "b", 3), {}, task, 1));
}
