#include "model/nn/masked/masked_vit_family.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_weights.hpp"
#include "model/nn/vit/activation.hpp"
#include "model/nn/vit/attention.hpp"
#include "model/nn/vit/flop_count.hpp"
#include "model/nn/vit/layer_norm.hpp"

namespace evostream::model {

namespace {

constexpr double kLayerNormEps = 1e-6;

// Layers per block: query/key/value, output projection, the MLP's two.
constexpr int64_t kPerBlock = 4;

// The shapes of a masked-vit path's random layers, checked against each other and the family.
struct VitShape {
  int64_t depth = 0;
  int64_t dim = 0;
  std::vector<int64_t> mlp;  // per block

  static VitShape of(const std::vector<MaskedLayer>& layers, int64_t heads, int64_t patch,
                     int64_t channels) {
    const auto n = static_cast<int64_t>(layers.size());
    if (n < 2 + kPerBlock || (n - 2) % kPerBlock != 0) {
      throw std::invalid_argument(fmt::format(
          "masked-vit path: expected 2 + 4 · depth layers (patch projection, 4 per block, "
          "head), found {}",
          n));
    }
    VitShape s;
    s.depth = (n - 2) / kPerBlock;
    auto shape = [&](int64_t l) { return MaskedFactory::layer_shape(*layers[l].random); };
    auto expect = [&](int64_t l, const std::string& what, int64_t rows, int64_t cols) {
      const auto found = shape(l);
      if (found[0] != rows || found[1] != cols) {
        throw std::invalid_argument(fmt::format("masked-vit path: {} ({}) is {}×{}, expected {}×{}",
                                                layers[l].random->id(), what, found[0], found[1],
                                                rows, cols));
      }
    };
    s.dim = shape(0)[0];
    expect(
        0,
        fmt::format("patch projection of {}×{} patches with {} channels", patch, patch, channels),
        s.dim, channels * patch * patch);
    if (s.dim % heads != 0) {
      throw std::invalid_argument(fmt::format(
          "masked-vit path: width {} is not a multiple of the {} attention heads", s.dim, heads));
    }
    for (int64_t k = 0; k < s.depth; ++k) {
      const int64_t at = 1 + kPerBlock * k;
      expect(at, fmt::format("block {} query/key/value", k), 3 * s.dim, s.dim);
      expect(at + 1, fmt::format("block {} attention output", k), s.dim, s.dim);
      const int64_t m = shape(at + 2)[0];
      expect(at + 2, fmt::format("block {} MLP in", k), m, s.dim);
      expect(at + 3, fmt::format("block {} MLP out", k), s.dim, m);
      s.mlp.push_back(m);
    }
    expect(n - 1, "head", shape(n - 1)[0], s.dim);
    return s;
  }

  // Forward FLOPs per image of the embedding, blocks [from, to) and head (`head_rows` outputs).
  double embedding(int64_t patch, int64_t channels, int64_t side) const {
    const double g = static_cast<double>(side / patch);
    return 2.0 * g * g * static_cast<double>(dim * channels * patch * patch);
  }
  double blocks(int64_t patch, int64_t side, int64_t from, int64_t to) const {
    const double g = static_cast<double>(side / patch);
    const double t = 1.0 + g * g;
    double flops = 0.0;
    for (int64_t k = from; k < to; ++k) {
      flops += FlopCount::attention(t, static_cast<double>(dim));
      flops += 2.0 * 2.0 * t * static_cast<double>(dim * mlp[static_cast<size_t>(k)]);
    }
    return flops;
  }
};

class MaskedVitFunction : public ModelFunction {
 public:
  MaskedVitFunction(std::vector<MaskedLayer> layers, int64_t heads, int64_t patch, int64_t channels)
      : shape_(VitShape::of(layers, heads, patch, channels)),
        weights_(std::move(layers)),
        heads_(heads),
        patch_(patch),
        channels_(channels) {
    const auto on = at::TensorOptions().dtype(at::kFloat).device(weights_.device());
    ones_ = at::ones({shape_.dim}, on);
    zeros_ = at::zeros({shape_.dim}, on);
    has_prefix_ = weights_.layer(0).frozen();
    while (has_prefix_ && prefix_blocks_ + 1 < shape_.depth && block_frozen(prefix_blocks_))
      ++prefix_blocks_;
  }

  bool has_frozen_prefix() const override { return has_prefix_; }
  at::Tensor prefix(const at::Tensor& images) const override {
    return run_blocks(embed(images), 0, prefix_blocks_);
  }
  at::Tensor features_after_prefix(const at::Tensor& x) const override {
    if (has_prefix_)
      return final_norm(run_blocks(x, prefix_blocks_, shape_.depth));
    return features(x);
  }
  at::Tensor features(const at::Tensor& images) const override {
    return final_norm(run_blocks(embed(images), 0, shape_.depth));
  }
  at::Tensor head(const at::Tensor& features) const override {
    return at::linear(features, weights_.effective(weights_.size() - 1));
  }
  int64_t classes() const override { return weights_.layer(weights_.size() - 1).shape()[0]; }
  std::string head_id() const override {
    const MaskedLayer& l = weights_.layer(weights_.size() - 1);
    return (l.alpha ? l.alpha : l.masks.front())->id();
  }
  c10::Device device() const override { return weights_.device(); }
  std::string prefix_key(int64_t side) const override {
    if (!has_prefix_)
      return "";
    return weights_.key(1 + kPerBlock * prefix_blocks_) + fmt::format("|side {}", side);
  }
  int64_t prefix_bytes(int64_t side, int64_t images) const override {
    if (!has_prefix_)
      return 0;
    const int64_t g = side / patch_;
    return images * (1 + g * g) * shape_.dim * static_cast<int64_t>(sizeof(float));
  }
  double prefix_flops(int64_t side) const override {
    if (!has_prefix_)
      return 0.0;
    return shape_.embedding(patch_, channels_, side) +
           shape_.blocks(patch_, side, 0, prefix_blocks_);
  }
  double rest_flops(int64_t side) const override {
    const double head = 2.0 * static_cast<double>(classes() * shape_.dim);
    if (!has_prefix_)
      return shape_.embedding(patch_, channels_, side) +
             shape_.blocks(patch_, side, 0, shape_.depth) + head;
    return shape_.blocks(patch_, side, prefix_blocks_, shape_.depth) + head;
  }

 private:
  bool block_frozen(int64_t k) const {
    for (int64_t l = 1 + kPerBlock * k; l < 1 + kPerBlock * (k + 1); ++l) {
      if (!weights_.layer(l).frozen())
        return false;
    }
    return true;
  }

  at::Tensor norm(const at::Tensor& x) const {
    return LayerNorm::apply(x, ones_, zeros_, kLayerNormEps);
  }

  at::Tensor embed(const at::Tensor& images) const {
    if (images.dim() != 4 || images.size(1) != channels_ || images.size(2) != images.size(3) ||
        images.size(2) % patch_ != 0) {
      throw std::invalid_argument(fmt::format(
          "masked-vit: expected square images of {} channels whose side is a multiple of the "
          "patch {}, found {}",
          channels_, patch_, fmt::join(images.sizes(), "×")));
    }
    const at::Tensor x = images * 2.0 - 1.0;
    const int64_t d = shape_.dim;
    const at::Tensor w = weights_.effective(0).view({d, channels_, patch_, patch_});
    // Non-overlapping patches: [N, dim, g, g] → [N, g², dim].
    const at::Tensor patches = at::conv2d(x, w, {}, {patch_, patch_}).flatten(2).transpose(1, 2);
    const int64_t n = patches.size(0);
    const int64_t tokens = patches.size(1) + 1;
    const at::Tensor cls = at::zeros({n, 1, d}, patches.options());
    return at::cat({cls, patches}, 1) +
           MaskedVitFamily::position_embedding(tokens, d).to(patches.device());
  }

  at::Tensor run_blocks(at::Tensor x, int64_t from, int64_t to) const {
    for (int64_t k = from; k < to; ++k)
      x = block(x, k, k == shape_.depth - 1);
    return x;
  }

  // Block k; the last returns only the class token ([N, 1, dim]): the head reads nothing else.
  at::Tensor block(const at::Tensor& x, int64_t k, bool class_token_only) const {
    const int64_t at = 1 + kPerBlock * k;
    const int64_t d = shape_.dim;
    const at::Tensor qkv = weights_.effective(at);
    const at::Tensor h = norm(x);
    at::Tensor residual = x;
    at::Tensor attn;
    if (class_token_only) {
      residual = x.narrow(1, 0, 1);
      const at::Tensor q = at::linear(h.narrow(1, 0, 1), qkv.narrow(0, 0, d));
      const at::Tensor kv = at::linear(h, qkv.narrow(0, d, 2 * d));
      attn = Attention::split(q, kv, heads_);
    } else {
      attn = Attention::packed(at::linear(h, qkv), heads_);
    }
    const at::Tensor y = residual + at::linear(attn, weights_.effective(at + 1));
    const at::Tensor m = Activation::tanh_gelu(at::linear(norm(y), weights_.effective(at + 2)));
    return y + at::linear(m, weights_.effective(at + 3));
  }

  at::Tensor final_norm(const at::Tensor& tokens) const { return norm(tokens.select(1, 0)); }

  VitShape shape_;
  MaskedWeights weights_;
  int64_t heads_;
  int64_t patch_;
  int64_t channels_;
  at::Tensor ones_;
  at::Tensor zeros_;
  bool has_prefix_ = false;
  int64_t prefix_blocks_ = 0;
};

}  // namespace

MaskedVitFamily::MaskedVitFamily(int64_t heads, int64_t patch, int64_t channels)
    : heads_(heads), patch_(patch), channels_(channels) {}

std::unique_ptr<ModelFunction> MaskedVitFamily::bind(
    const std::vector<const Component*>& components, int64_t image_size) const {
  if (image_size != 0)
    throw std::invalid_argument("masked-vit: paths take images at their own size (image_size 0)");
  return std::make_unique<MaskedVitFunction>(MaskedLayer::of(components), heads_, patch_,
                                             channels_);
}

double MaskedVitFamily::forward_flops(const std::vector<const Component*>& components,
                                      int64_t side) const {
  const MaskedVitFunction f(MaskedLayer::of(components), heads_, patch_, channels_);
  return f.prefix_flops(side) + f.rest_flops(side);
}

std::vector<Component> MaskedVitFamily::root(const config::ArchitectureSpec& a, int64_t,
                                             uint64_t seed) const {
  std::vector<std::pair<int64_t, int64_t>> shapes = {{a.dim, a.channels * a.patch * a.patch}};
  for (int64_t k = 0; k < a.depth; ++k) {
    shapes.insert(shapes.end(),
                  {{3 * a.dim, a.dim}, {a.dim, a.dim}, {a.mlp, a.dim}, {a.dim, a.mlp}});
  }
  shapes.emplace_back(a.classes, a.dim);
  std::vector<Component> out;
  for (size_t l = 0; l < shapes.size(); ++l)
    out.push_back(MaskedFactory::random_layer(static_cast<int64_t>(l), shapes[l].first,
                                              shapes[l].second, seed));
  return out;
}

at::Tensor MaskedVitFamily::position_embedding(int64_t tokens, int64_t dim) {
  at::Tensor table = at::empty({1, tokens, dim}, at::kFloat);
  float* p = table.data_ptr<float>();
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t i = 0; i < dim; ++i) {
      const double angle =
          static_cast<double>(t) /
          std::pow(10000.0, static_cast<double>(2 * (i / 2)) / static_cast<double>(dim));
      p[t * dim + i] = static_cast<float>(i % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  }
  return table;
}

}  // namespace evostream::model
