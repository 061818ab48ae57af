#include <catch2/catch.hpp>
#include <cmath>

#include "masked_fixtures.hpp"
#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_vit_family.hpp"
#include "model/nn/model_family.hpp"
#include "model/train/trainer.hpp"
#include "model_fixtures.hpp"

using namespace evostream;
using namespace evostream::model;
using Catch::Matchers::Contains;
using evostream::testing::masked_path;
using evostream::testing::raw;
using evostream::testing::synthetic_task;

namespace {

// A masked ViT for 8 × 8 images: patch 4 (5 tokens), width 8, 2 blocks of 2 heads, MLP 12,
// a head of 4 outputs.
config::ArchitectureSpec masked_vit_arch() {
  config::ArchitectureSpec a;
  a.family = "masked-vit";
  a.image_size = 8;
  a.channels = 1;
  a.patch = 4;
  a.dim = 8;
  a.depth = 2;
  a.heads = 2;
  a.mlp = 12;
  a.classes = 4;
  return a;
}

std::shared_ptr<const ModelFamily> family() {
  return ModelFamily::of(masked_vit_arch());
}

// Non-affine layer norm over the last dimension.
at::Tensor plain_norm(const at::Tensor& x) {
  return at::layer_norm(x, {x.size(-1)}, {}, {}, 1e-6);
}

// The masked ViT by hand from its effective weights, every token through every block.
at::Tensor by_hand(const at::Tensor& images, const std::vector<at::Tensor>& w) {
  const int64_t d = 8;
  const int64_t heads = 2;
  const int64_t hd = d / heads;
  const at::Tensor x = images * 2.0 - 1.0;
  const int64_t n = x.size(0);
  // Patches of 4 × 4 in row-major order, each flattened as the projection reads it.
  const at::Tensor patches = x.unfold(2, 4, 4)
                                 .unfold(3, 4, 4)
                                 .reshape({n, 1, 4, 16})
                                 .permute({0, 2, 1, 3})
                                 .reshape({n, 4, 16});
  at::Tensor t = at::cat({at::zeros({n, 1, d}), at::matmul(patches, w[0].t())}, 1);
  t = t + MaskedVitFamily::position_embedding(5, d);
  for (int64_t k = 0; k < 2; ++k) {
    const auto& qkv_w = w[static_cast<size_t>(1 + 4 * k)];
    const at::Tensor qkv = at::matmul(plain_norm(t), qkv_w.t());
    std::vector<at::Tensor> outs;
    for (int64_t h = 0; h < heads; ++h) {
      const at::Tensor q = qkv.narrow(2, h * hd, hd);
      const at::Tensor kk = qkv.narrow(2, d + h * hd, hd);
      const at::Tensor v = qkv.narrow(2, 2 * d + h * hd, hd);
      const at::Tensor p =
          at::softmax(at::matmul(q, kk.transpose(1, 2)) / std::sqrt(static_cast<double>(hd)), -1);
      outs.push_back(at::matmul(p, v));
    }
    t = t + at::matmul(at::cat(outs, 2), w[static_cast<size_t>(2 + 4 * k)].t());
    const at::Tensor m =
        at::gelu(at::matmul(plain_norm(t), w[static_cast<size_t>(3 + 4 * k)].t()), "tanh");
    t = t + at::matmul(m, w[static_cast<size_t>(4 + 4 * k)].t());
  }
  return at::matmul(plain_norm(t.select(1, 0)), w.back().t());
}

}  // namespace

TEST_CASE("A masked-vit root is the ViT's linear layers, random and regenerated from the seed",
          "[model][masked]") {
  const auto a = family()->root(masked_vit_arch(), 0, 7);
  const auto b = family()->root(masked_vit_arch(), 0, 7);
  const auto c = family()->root(masked_vit_arch(), 0, 8);
  const std::vector<std::vector<int64_t>> shapes = {{8, 16}, {24, 8}, {8, 8},  {12, 8}, {8, 12},
                                                    {24, 8}, {8, 8},  {12, 8}, {8, 12}, {4, 8}};
  REQUIRE(a.size() == shapes.size());
  for (size_t l = 0; l < a.size(); ++l) {
    INFO(l);
    CHECK(a[l].kind() == ComponentKind::kRandomLinear);
    CHECK(a[l].index() == static_cast<int64_t>(l));
    CHECK(MaskedFactory::layer_shape(a[l]) == shapes[l]);
    const at::Tensor w = MaskedFactory::weights(a[l]);
    CHECK(w.equal(MaskedFactory::weights(b[l])));
    CHECK_FALSE(w.equal(MaskedFactory::weights(c[l])));
    CHECK(at::allclose(w.abs(), at::full_like(w, std::sqrt(2.0 / static_cast<double>(w.size(1))))));
    // Only the seed and the shape are stored.
    CHECK(a[l].num_params() == 3);
  }
}

TEST_CASE("A masked-vit path computes the ViT on W ⊙ M, and on W ⊙ Σ α M for impressions",
          "[model][masked]") {
  const auto root = family()->root(masked_vit_arch(), 0, 5);
  const auto path = masked_path(root, 11);
  const auto f = family()->bind(raw(path));
  CHECK(f->classes() == 4);
  // The embedding and the first block are frozen; the last block never is part of the prefix.
  CHECK(f->has_frozen_prefix());
  const at::Tensor images = at::rand({3, 1, 8, 8});
  std::vector<at::Tensor> weights;
  for (size_t l = 0; l < root.size(); ++l)
    weights.push_back(MaskedFactory::weights(root[l]) * MaskedFactory::mask_of(path[2 * l + 1]));
  const at::Tensor expected = by_hand(images, weights);
  CHECK(at::allclose(f->forward(images), expected, 1e-4, 1e-5));
  CHECK(at::allclose(f->features_after_prefix(f->prefix(images)), f->features(images)));
  // FLOPs of the standard computation: 5 tokens, width 8, MLP 12, 4 patches of 16 values.
  const double block = 2.0 * 5 * 8 * 24 + 2.0 * 2.0 * 25 * 8 + 2.0 * 5 * 8 * 8 + 4.0 * 5 * 8 * 12;
  CHECK(family()->forward_flops(raw(path), 8) == Approx(2.0 * 4 * 8 * 16 + 2 * block + 2.0 * 32));
  CHECK(f->prefix_flops(8) + f->rest_flops(8) == Approx(family()->forward_flops(raw(path), 8)));
  CHECK(f->prefix_bytes(8, 10) == 10 * 5 * 8 * 4);

  // Two masks per layer under coefficients, the second set trained (no prefix).
  const auto other = masked_path(root, 23);
  std::vector<Component> combined;
  std::vector<at::Tensor> mixed;
  for (size_t l = 0; l < root.size(); ++l) {
    combined.push_back(root[l]);
    combined.push_back(path[2 * l + 1]);
    combined.push_back(other[2 * l + 1]);
    const float a0 = 0.25f + 0.05f * static_cast<float>(l);
    combined.push_back(
        MaskedFactory::alpha("u/alpha" + std::to_string(l), "u", static_cast<int64_t>(l), 2)
            .with_tensors({at::tensor({a0, 0.75f})}));
    mixed.push_back(MaskedFactory::weights(root[l]) *
                    (a0 * MaskedFactory::mask_of(path[2 * l + 1]) +
                     0.75 * MaskedFactory::mask_of(other[2 * l + 1])));
  }
  const auto g = family()->bind(raw(combined));
  CHECK_FALSE(g->has_frozen_prefix());
  CHECK(at::allclose(g->forward(images), by_hand(images, mixed), 1e-4, 1e-5));
}

TEST_CASE("Masked-vit paths of the wrong shape or images it cannot take are refused",
          "[model][masked]") {
  const auto root = family()->root(masked_vit_arch(), 0, 5);
  const auto path = masked_path(root, 11);
  std::vector<Component> short_path(path.begin(), path.end() - 4);
  CHECK_THROWS_WITH(family()->bind(raw(short_path)),
                    Contains("masked-vit path: expected 2 + 4 · depth layers (patch projection, "
                             "4 per block, head), found 8"));
  // The first block's MLP layers swapped with its attention's.
  std::vector<Component> swapped = path;
  std::swap(swapped[4], swapped[6]);
  std::swap(swapped[5], swapped[7]);
  CHECK_THROWS(family()->bind(raw(swapped)));
  // A family of other patches or heads does not take the path.
  config::ArchitectureSpec other = masked_vit_arch();
  other.patch = 2;
  CHECK_THROWS_WITH(ModelFamily::of(other)->bind(raw(path)),
                    Contains("root/random_linear0 (patch projection of 2×2 patches with 1 "
                             "channels) is 8×16, expected 8×4"));
  other = masked_vit_arch();
  other.heads = 3;
  CHECK_THROWS_WITH(ModelFamily::of(other)->bind(raw(path)),
                    Contains("width 8 is not a multiple of the 3 attention heads"));
  CHECK_THROWS_WITH(family()->bind(raw(path), 16), Contains("image_size 0"));
  CHECK_THROWS_WITH(family()->bind(raw(path))->forward(at::rand({2, 3, 8, 8})),
                    Contains("expected square images of 1 channels whose side is a multiple of "
                             "the patch 4, found 2×3×8×8"));
}

TEST_CASE("The trainer learns a task's supermasks on the masked-vit backbone", "[model][masked]") {
  const streams::TaskData task = synthetic_task("masked", 3, 4);
  const auto path =
      evostream::testing::trainable_masked_path(family()->root(masked_vit_arch(), 0, 5));
  const TrainSettings s = evostream::testing::mask_training(family());
  TrainRecipe recipe;
  recipe.learning_rate = 0.01;
  recipe.momentum = 0.0;
  const TrainResult r = Trainer(s).train(path, recipe, task, 1);
  REQUIRE(r.trained.size() == path.size() / 2);
  // Every layer's scores train, the patch projection's and the head's included.
  CHECK_FALSE(r.trained.front().tensor("scores").equal(path[1]->tensor("scores")));
  CHECK_FALSE(r.trained.back().tensor("scores").equal(path.back()->tensor("scores")));
  CHECK(r.quality > 0.5);
  const TrainResult again = Trainer(s).train(path, recipe, task, 1);
  CHECK(again.trained.back().content_hash() == r.trained.back().content_hash());
}
