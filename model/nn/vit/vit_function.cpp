#include "model/nn/vit/vit_function.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "model/nn/vit/activation.hpp"
#include "model/nn/vit/attention.hpp"
#include "model/nn/vit/layer_norm.hpp"

namespace evostream::model {

namespace {

constexpr double kLayerNormEps = 1e-6;

at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  return LayerNorm::apply(x, w, b, kLayerNormEps);
}

at::Tensor tanh_gelu(const at::Tensor& x) {
  return Activation::tanh_gelu(x);
}

}  // namespace

VitFunction::VitFunction(const VitLayout& layout, int64_t heads, int64_t image_size)
    : layout_(layout), heads_(heads), image_size_(image_size) {}

at::Tensor VitFunction::embed(const at::Tensor& images) const {
  at::Tensor x = images * 2.0 - 1.0;
  if (image_size_ > 0 && (x.size(2) != image_size_ || x.size(3) != image_size_)) {
    x = at::upsample_bilinear2d(x, {image_size_, image_size_}, false);
  }
  const Component& pe = *layout_.patch_embedding;
  const int64_t p = layout_.patch();
  // Non-overlapping patches: a strided convolution, [N, dim, g, g] → [N, g², dim].
  at::Tensor patches = at::conv2d(x, pe.tensor("weight"), pe.tensor("bias"), {p, p});
  const int64_t n = patches.size(0);
  const int64_t d = patches.size(1);
  const int64_t g = patches.size(2);
  patches = patches.flatten(2).transpose(1, 2);
  at::Tensor cls = layout_.class_token->tensor("token").expand({n, 1, d});
  at::Tensor pos = layout_.position_embedding->tensor("embedding");
  const auto trained_grid = static_cast<int64_t>(std::lround(std::sqrt(pos.size(1) - 1)));
  if (trained_grid != g) {
    at::Tensor grid = pos.narrow(1, 1, pos.size(1) - 1)
                          .reshape({1, trained_grid, trained_grid, d})
                          .permute({0, 3, 1, 2});
    grid =
        at::upsample_bilinear2d(grid, {g, g}, false).permute({0, 2, 3, 1}).reshape({1, g * g, d});
    pos = at::cat({pos.narrow(1, 0, 1), grid}, 1);
  }
  return at::cat({cls, patches}, 1) + pos;
}

at::Tensor VitFunction::block(const Component& b, const at::Tensor& x, int64_t heads,
                              bool class_token_only) {
  const at::Tensor y = attend(b, x, heads, class_token_only);
  return y + mlp(b, y);
}

at::Tensor VitFunction::mlp(const Component& b, const at::Tensor& y) {
  const at::Tensor m = layer_norm(y, b.tensor("ln2.weight"), b.tensor("ln2.bias"));
  return at::linear(tanh_gelu(at::linear(m, b.tensor("mlp.fc1.weight"), b.tensor("mlp.fc1.bias"))),
                    b.tensor("mlp.fc2.weight"), b.tensor("mlp.fc2.bias"));
}

at::Tensor VitFunction::attend(const Component& b, const at::Tensor& x, int64_t heads,
                               bool class_token_only) {
  const int64_t d = x.size(2);
  const at::Tensor& qkv_w = b.tensor("attn.qkv.weight");
  const at::Tensor& qkv_b = b.tensor("attn.qkv.bias");
  const at::Tensor h = layer_norm(x, b.tensor("ln1.weight"), b.tensor("ln1.bias"));
  at::Tensor residual = x;
  at::Tensor attn;
  if (class_token_only) {
    // Keys and values need every token; the query only the class token.
    residual = x.narrow(1, 0, 1);
    const at::Tensor q =
        at::linear(h.narrow(1, 0, 1), qkv_w.narrow(0, 0, d), qkv_b.narrow(0, 0, d));
    const at::Tensor kv = at::linear(h, qkv_w.narrow(0, d, 2 * d), qkv_b.narrow(0, d, 2 * d));
    attn = Attention::split(q, kv, heads);
  } else {
    const at::Tensor qkv = at::linear(h, qkv_w, qkv_b);
    attn = Attention::packed(qkv, heads);
  }
  return residual + at::linear(attn, b.tensor("attn.proj.weight"), b.tensor("attn.proj.bias"));
}

at::Tensor VitFunction::norm(const Component& c, const std::string& prefix, const at::Tensor& x) {
  return layer_norm(x, c.tensor(prefix + ".weight"), c.tensor(prefix + ".bias"));
}

at::Tensor VitFunction::adapter(const Component& a, const at::Tensor& x) {
  at::Tensor h = layer_norm(x, a.tensor("ln.weight"), a.tensor("ln.bias"));
  h = tanh_gelu(at::linear(h, a.tensor("down.weight"), a.tensor("down.bias")));
  return x + at::linear(h, a.tensor("up.weight"), a.tensor("up.bias"));
}

at::Tensor VitFunction::run_blocks(at::Tensor tokens, int64_t from, int64_t to,
                                   bool class_token_only) const {
  for (int64_t k = from; k < to; ++k) {
    const auto i = static_cast<size_t>(k);
    if (layout_.adapters[i] != nullptr)
      tokens = adapter(*layout_.adapters[i], tokens);
    tokens = block(*layout_.blocks[i], tokens, heads_, class_token_only && k == depth() - 1);
  }
  return tokens;
}

at::Tensor VitFunction::features(const at::Tensor& tokens) const {
  return layer_norm(tokens.select(1, 0), layout_.final_norm->tensor("weight"),
                    layout_.final_norm->tensor("bias"));
}

at::Tensor VitFunction::head(const Component& head, const at::Tensor& features) {
  return at::linear(features, head.tensor("weight"), head.tensor("bias"));
}

at::Tensor VitFunction::head(const at::Tensor& features) const {
  return head(*layout_.head, features);
}

at::Tensor VitFunction::classify(const at::Tensor& tokens) const {
  return head(features(tokens));
}

at::Tensor VitFunction::forward(const at::Tensor& images) const {
  return classify(run_blocks(embed(images), 0, depth(), true));
}

}  // namespace evostream::model
