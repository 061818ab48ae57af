// A training step of the moe-vit family against a dense ViT step of equal active FLOPs.
//
// Both are vit-tiny (28 × 28 inputs, patch 4, dim 64, depth 4, 4 heads, MLP 128); the moe-vit
// makes blocks 1 and 3 mixtures of `experts` experts (default 16) of width 128 / top_k (default
// 4), so a token's active compute equals the dense MLP's plus its router; with
// ATTENTION_EXPERTS > 0, blocks 0 and 2's attention are mixtures of that many attention experts,
// each token using 4 (the heads), so their active compute is the dense attention's plus the
// router's. A step is the forward pass, cross-entropy and the backward pass on 128 images with
// every component trainable. Rounds alternate dense and MoE; medians are printed with their
// ratio.
//
// Usage: bench_moe [ROUNDS=7] [STEPS=10] [EXPERTS=16] [TOP_K=4] [ATTENTION_EXPERTS=0]

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "model/nn/model_family.hpp"
#include "model/train/memory_reuse.hpp"
#include "model/train/trainer.hpp"

namespace {

using namespace evostream;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Model {
  std::shared_ptr<const model::ModelFamily> family;
  std::vector<model::Component> components;
  double flops = 0.0;
};

Model make(const config::ArchitectureSpec& a) {
  Model m;
  m.family = model::ModelFamily::of(a);
  m.components = m.family->root(a, 10, 1);
  for (auto& c : m.components) {
    for (const auto& t : c.tensors()) {
      if (t.is_floating_point())
        t.requires_grad_(true);
    }
  }
  std::vector<const model::Component*> raw;
  for (const auto& c : m.components)
    raw.push_back(&c);
  m.flops = m.family->forward_flops(raw, a.image_size);
  return m;
}

// Seconds of `steps` training steps (forward, loss, backward) of `m`.
double time_steps(const Model& m, const at::Tensor& images, const at::Tensor& labels,
                  int64_t steps) {
  std::vector<const model::Component*> raw;
  for (const auto& c : m.components)
    raw.push_back(&c);
  const auto f = m.family->bind(raw);
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps; ++s) {
    at::cross_entropy_loss(f->forward(images), labels).backward();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rounds = argc > 1 ? std::atoll(argv[1]) : 7;
  const int64_t steps = argc > 2 ? std::atoll(argv[2]) : 10;
  model::reuse_freed_memory();  // as the evostream program does
  model::use_threads(1);
  config::ArchitectureSpec dense;
  dense.image_size = 28;
  config::ArchitectureSpec moe = dense;
  moe.family = "moe-vit";
  moe.experts = argc > 3 ? std::atoll(argv[3]) : 16;
  moe.top_k = argc > 4 ? std::atoll(argv[4]) : 4;
  moe.attention_experts = argc > 5 ? std::atoll(argv[5]) : 0;
  const Model d = make(dense);
  const Model m = make(moe);
  const at::Tensor images = at::rand({128, 1, 28, 28});
  const at::Tensor labels = at::randint(0, 10, {128}, at::kLong);
  time_steps(d, images, labels, 2);  // warm-up
  time_steps(m, images, labels, 2);
  std::vector<double> dense_s;
  std::vector<double> moe_s;
  std::vector<double> ratio;
  for (int64_t r = 0; r < rounds; ++r) {
    dense_s.push_back(time_steps(d, images, labels, steps) / static_cast<double>(steps));
    moe_s.push_back(time_steps(m, images, labels, steps) / static_cast<double>(steps));
    ratio.push_back(moe_s.back() / dense_s.back());
  }
  fmt::print(
      "dense vit-tiny: {:.2f} MFLOP/image forward, {:.1f} ms per step of 128 (median of {})\n",
      d.flops / 1e6, 1e3 * median(dense_s), rounds);
  fmt::print("moe-vit {} experts top {}{}: {:.2f} MFLOP/image active, {:.1f} ms per step\n",
             moe.experts, moe.top_k,
             moe.attention_experts > 0
                 ? fmt::format(", {} attention experts top {}", moe.attention_experts, moe.heads)
                 : "",
             m.flops / 1e6, 1e3 * median(moe_s));
  fmt::print("moe / dense step time: {:.2f}x (median of per-round ratios)\n", median(ratio));
  return 0;
}
