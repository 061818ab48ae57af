#include <catch2/catch.hpp>
#include <cmath>

#include "masked_fixtures.hpp"
#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_family.hpp"
#include "model/nn/masked/task_inference.hpp"
#include "model/train/evaluator.hpp"
#include "model/train/trainer.hpp"
#include "model_fixtures.hpp"

using namespace evostream;
using namespace evostream::model;
using Catch::Matchers::Contains;
using evostream::testing::masked_path;
using evostream::testing::raw;
using evostream::testing::synthetic_task;

namespace {

// A masked-fc net for 8 × 8 images: 64-16-12-4.
config::ArchitectureSpec masked_arch() {
  config::ArchitectureSpec a;
  a.family = "masked-fc";
  a.image_size = 8;
  a.channels = 1;
  a.hidden = {16, 12};
  a.classes = 4;
  return a;
}

}  // namespace

TEST_CASE("Random layers regenerate bit-identically from their seed, as signed Kaiming constants",
          "[model][masked]") {
  const auto a = MaskedFactory::root(masked_arch(), 7);
  const auto b = MaskedFactory::root(masked_arch(), 7);
  const auto c = MaskedFactory::root(masked_arch(), 8);
  REQUIRE(a.size() == 3);
  for (size_t l = 0; l < a.size(); ++l) {
    const at::Tensor w = MaskedFactory::weights(a[l]);
    CHECK(w.equal(MaskedFactory::weights(b[l])));
    CHECK_FALSE(w.equal(MaskedFactory::weights(c[l])));
    CHECK(a[l].content_hash() == b[l].content_hash());
    const double value = std::sqrt(2.0 / static_cast<double>(w.size(1)));
    CHECK(at::allclose(w.abs(), at::full_like(w, value)));
    const double positive = (w > 0).to(at::kFloat).mean().item<double>();
    CHECK(positive > 0.3);
    CHECK(positive < 0.7);
    // Only the seed and the shape are stored.
    CHECK(a[l].num_params() == 3);
  }
  CHECK(MaskedFactory::weights(a[0]).sizes() == at::IntArrayRef({16, 64}));
  CHECK(MaskedFactory::weights(a[2]).sizes() == at::IntArrayRef({4, 12}));
}

TEST_CASE("A mask keeps its top-k weights, and its packed form holds one bit per weight",
          "[model][masked]") {
  const Component top = MaskedFactory::scores("t/mask0", "t", 0, 10, 13, 65, 3);
  const at::Tensor m = MaskedFactory::mask_of(top);
  CHECK(m.sum().item<double>() == 65.0);
  // The kept weights are those of largest |score|.
  const at::Tensor a = top.tensor("scores").abs();
  CHECK(a.masked_select(m > 0).min().item<float>() >= a.masked_select(m == 0).max().item<float>());
  const Component packed = MaskedFactory::packed(top);
  CHECK(MaskedFactory::is_packed(packed));
  CHECK(packed.tensor("bits").scalar_type() == at::kByte);
  CHECK(packed.tensor("bits").numel() == (130 + 7) / 8);
  CHECK(MaskedFactory::mask_of(packed).equal(m));
  CHECK(MaskedFactory::shape_of(packed) == std::vector<int64_t>{10, 13});
  // The threshold variant keeps the non-negative scores.
  const Component threshold = MaskedFactory::scores("t/mask0", "t", 0, 10, 13, 0, 3);
  CHECK(MaskedFactory::mask_of(threshold).equal((threshold.tensor("scores") >= 0).to(at::kFloat)));
  CHECK(MaskedFactory::mask_of(MaskedFactory::packed(threshold))
            .equal(MaskedFactory::mask_of(threshold)));
}

TEST_CASE("A masked path computes W ⊙ M per task and W ⊙ Σ α M for combined impressions",
          "[model][masked]") {
  const auto root = MaskedFactory::root(masked_arch(), 5);
  const auto path = masked_path(root, 11);
  const MaskedFamily family;
  const auto f = family.bind(raw(path));
  CHECK(f->classes() == 4);
  CHECK(f->has_frozen_prefix());
  const at::Tensor images = at::rand({5, 1, 8, 8});
  at::Tensor x = images.flatten(1) * 2.0 - 1.0;
  for (size_t l = 0; l < root.size(); ++l) {
    const at::Tensor w = MaskedFactory::weights(root[l]) * MaskedFactory::mask_of(path[2 * l + 1]);
    x = at::linear(x, w);
    if (l + 1 < root.size())
      x = at::relu(x);
  }
  CHECK(at::allclose(f->forward(images), x, 1e-5, 1e-6));
  CHECK(family.forward_flops(raw(path), 8) == 2.0 * (16 * 64 + 12 * 16 + 4 * 12));

  // Two masks per layer under coefficients: the effective weights are W ⊙ (α₀M₀ + α₁M₁).
  const auto other = masked_path(root, 23);
  std::vector<Component> combined;
  std::vector<at::Tensor> alphas;
  for (size_t l = 0; l < root.size(); ++l) {
    combined.push_back(root[l]);
    combined.push_back(path[2 * l + 1]);
    combined.push_back(other[2 * l + 1]);
    Component alpha =
        MaskedFactory::alpha("u/alpha" + std::to_string(l), "u", static_cast<int64_t>(l), 2);
    alpha = alpha.with_tensors({at::tensor({0.25f + 0.1f * static_cast<float>(l), 0.75f})});
    alphas.push_back(alpha.tensor("alpha"));
    combined.push_back(alpha);
  }
  at::Tensor y = images.flatten(1) * 2.0 - 1.0;
  for (size_t l = 0; l < root.size(); ++l) {
    const at::Tensor w = MaskedFactory::weights(root[l]);
    const at::Tensor m = alphas[l][0] * MaskedFactory::mask_of(path[2 * l + 1]) +
                         alphas[l][1] * MaskedFactory::mask_of(other[2 * l + 1]);
    y = at::linear(y, w * m);
    if (l + 1 < root.size())
      y = at::relu(y);
  }
  const auto g = family.bind(raw(combined));
  CHECK_FALSE(g->has_frozen_prefix());
  CHECK(at::allclose(g->forward(images), y, 1e-5, 1e-6));
}

TEST_CASE("A trained mask passes its gradient straight through to the scores", "[model][masked]") {
  const auto root = MaskedFactory::root(masked_arch(), 5);
  std::vector<Component> path = masked_path(root, 11);
  // The head's mask trains: top-k of its scores, half kept.
  path[5] = MaskedFactory::scores("t/mask2", "t", 2, 4, 12, 24, 9);
  const at::Tensor& scores = path[5].tensor("scores");
  scores.requires_grad_(true);
  const auto f = MaskedFamily().bind(raw(path));
  const at::Tensor images = at::rand({6, 1, 8, 8});
  const at::Tensor features = f->features(images).detach().requires_grad_(false);
  const at::Tensor logits = f->head(features);
  // The forward pass uses the binary mask exactly.
  const at::Tensor w = MaskedFactory::weights(root[2]);
  const at::Tensor exact = at::linear(features, w * MaskedFactory::mask_of(path[5]));
  CHECK(logits.equal(exact));
  logits.sum().backward();
  // dL/dM = dL/dW_eff ⊙ W, through |scores|: dL/dS = dL/dM ⊙ sign(S).
  const at::Tensor d_weff = at::matmul(at::ones({4, 6}), features);
  CHECK(at::allclose(scores.grad(), d_weff * w * scores.detach().sign(), 1e-5, 1e-6));
}

TEST_CASE("Masked paths out of place are refused with the component and what was expected",
          "[model][masked]") {
  const auto root = MaskedFactory::root(masked_arch(), 5);
  const auto path = masked_path(root, 11);
  const MaskedFamily family;
  std::vector<Component> no_mask = {root[0], root[1]};
  CHECK_THROWS_WITH(family.bind(raw(no_mask)),
                    Contains("root/random_linear1 (random_linear 1) at position 1: expected a "
                             "mask of layer 0"));
  std::vector<Component> swapped = {path[1], path[0]};
  CHECK_THROWS_WITH(family.bind(raw(swapped)), Contains("expected random_linear 0"));
  std::vector<Component> wide = path;
  wide[1] = MaskedFactory::random_mask("t/mask0", "t", 0, 16, 60, 10, 1);
  CHECK_THROWS_WITH(family.bind(raw(wide)),
                    Contains("mask t/mask0 is 16×60, but layer 0 is 16×64"));
  std::vector<Component> two = path;
  two.insert(two.begin() + 2, path[1]);
  CHECK_THROWS_WITH(family.bind(raw(two)), Contains("layer 0 has 2 masks but no alpha"));
  CHECK_THROWS_WITH(family.bind(raw(path), 16), Contains("image_size 0"));
  // Shapes and counts read from a file are checked before anything is allocated.
  std::vector<Component> huge = path;
  huge[0] =
      root[0].with_tensors({root[0].tensor("seed"), at::tensor({int64_t{1} << 40, int64_t{64}})});
  CHECK_THROWS_WITH(family.bind(raw(huge)),
                    Contains("root/random_linear0: expected a shape of 1 to 2147483648 weights, "
                             "found 1099511627776×64"));
  std::vector<Component> flat = path;
  flat[0] = Component("root/random_linear0", ComponentKind::kRandomLinear, 0, "root", "",
                      {"seed", "shape"}, {root[0].tensor("seed"), at::tensor({int64_t{16}})});
  CHECK_THROWS_WITH(family.bind(raw(flat)),
                    Contains("expected shape to be two int64 (rows, columns), found 1 values"));
  std::vector<Component> broken = path;
  broken[2] = MaskedFactory::root(masked_arch(), 5)[1].with_tensors(
      {root[1].tensor("seed"), at::tensor({int64_t{12}, int64_t{15}})});
  broken[3] = MaskedFactory::random_mask("t/mask1", "t", 1, 12, 15, 10, 1);
  CHECK_THROWS_WITH(family.bind(raw(broken)),
                    Contains("root/random_linear1 takes 15 inputs, but layer 0 gives 16"));
  const at::Tensor wrong = at::rand({2, 1, 6, 6});
  CHECK_THROWS_WITH(family.bind(raw(path))->forward(wrong),
                    Contains("expected images of 64 values"));
}

TEST_CASE("The trainer learns a task's supermask on the random backbone", "[model][masked]") {
  const streams::TaskData task = synthetic_task("masked", 3, 4);
  const auto path =
      evostream::testing::trainable_masked_path(MaskedFactory::root(masked_arch(), 5));
  const TrainSettings s = evostream::testing::mask_training(std::make_shared<MaskedFamily>());
  TrainRecipe recipe;
  recipe.learning_rate = 0.01;
  recipe.momentum = 0.0;
  const TrainResult r = Trainer(s).train(path, recipe, task, 1);
  REQUIRE(r.trained.size() == 3);
  // Only the scores train; the random layers and the kept count stay as they were.
  CHECK(r.trained[0].tensor("keep").item<int64_t>() == 16 * 64 / 2);
  CHECK_FALSE(r.trained[0].tensor("scores").equal(path[1]->tensor("scores")));
  CHECK(r.quality > 0.6);
  // The same seed trains to the same bytes.
  const TrainResult again = Trainer(s).train(path, recipe, task, 1);
  CHECK(again.trained[2].content_hash() == r.trained[2].content_hash());
}

TEST_CASE("Task inference picks a task's own path and refuses paths it cannot superimpose",
          "[model][masked]") {
  const auto root = MaskedFactory::root(masked_arch(), 5);
  const auto a = masked_path(root, 11);
  const auto b = masked_path(root, 23);
  const TaskInference inference({raw(a), raw(b)});
  CHECK(inference.tasks() == 2);
  const at::Tensor images = at::rand({7, 1, 8, 8});
  // Each task's logits are those of its own path, bit for bit.
  CHECK(inference.logits(0, images).equal(MaskedFamily().bind(raw(a))->forward(images)));
  CHECK(inference.logits(1, images).equal(MaskedFamily().bind(raw(b))->forward(images)));
  for (const auto method : {TaskInference::Method::kOneShot, TaskInference::Method::kBinary,
                            TaskInference::Method::kEntropy}) {
    const int64_t t = inference.infer(images, method);
    CHECK((t == 0 || t == 1));
  }
  // The entropy method takes the path whose outputs are the most confident.
  auto entropy = [&](int64_t t) {
    const at::Tensor lp = at::log_softmax(inference.logits(t, images), 1);
    return -(lp.exp() * lp).sum(1).mean().item<double>();
  };
  CHECK(inference.infer(images, TaskInference::Method::kEntropy) ==
        (entropy(0) <= entropy(1) ? 0 : 1));
  const auto narrow = masked_path(root, 31, 3);
  CHECK_THROWS_WITH(TaskInference({raw(a), raw(narrow)}),
                    Contains("layer 2 of task 1 is 3×12, of task 0 4×12"));
  CHECK_THROWS_WITH(TaskInference({}), Contains("at least one learned task"));
  CHECK_THROWS_WITH(TaskInference::method_named("guess"),
                    Contains("expected \"oneshot\", \"binary\" or \"entropy\", found \"guess\""));
}
