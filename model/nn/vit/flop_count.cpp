#include "model/nn/vit/flop_count.hpp"

#include <ATen/ATen.h>

namespace evostream::model {

namespace {

int64_t grid(const VitLayout& l, int64_t image_size) {
  return image_size / l.patch();
}

}  // namespace

double FlopCount::embedding(const VitLayout& l, int64_t image_size) {
  const auto& w = l.patch_embedding->tensor("weight");  // [dim, C, p, p]
  const double g = static_cast<double>(grid(l, image_size));
  return 2.0 * g * g * static_cast<double>(w.numel());
}

double FlopCount::blocks(const VitLayout& l, int64_t image_size, int64_t from, int64_t to) {
  const double g = static_cast<double>(grid(l, image_size));
  const double t = 1.0 + g * g;
  const auto d = static_cast<double>(l.dim());
  double flops = 0.0;
  for (int64_t k = from; k < to; ++k) {
    const auto i = static_cast<size_t>(k);
    const auto m = static_cast<double>(l.blocks[i]->tensor("mlp.fc1.weight").size(0));
    flops += attention(t, d);
    flops += 2.0 * 2.0 * t * d * m;  // MLP
    if (l.adapters[i] != nullptr) {
      const auto a = static_cast<double>(l.adapters[i]->tensor("down.weight").size(0));
      flops += 2.0 * 2.0 * t * d * a;
    }
  }
  return flops;
}

double FlopCount::attention(double tokens, double dim) {
  return 2.0 * tokens * dim * 3.0 * dim       // q, k, v
         + 2.0 * 2.0 * tokens * tokens * dim  // scores and weighted sum, over all heads
         + 2.0 * tokens * dim * dim;          // output projection
}

double FlopCount::head(const VitLayout& l) {
  return 2.0 * static_cast<double>(l.head->tensor("weight").numel());
}

double FlopCount::forward(const VitLayout& l, int64_t image_size) {
  return embedding(l, image_size) +
         blocks(l, image_size, 0, static_cast<int64_t>(l.blocks.size())) + head(l);
}

}  // namespace evostream::model
