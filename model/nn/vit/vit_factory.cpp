#include "model/nn/vit/vit_factory.hpp"

#include <ATen/ATen.h>

#include <cmath>

#include "common/rng.hpp"

namespace evostream::model {

namespace {

using common::Rng;
using config::ArchitectureSpec;

at::Tensor zeros(at::IntArrayRef shape) {
  return at::zeros(shape, at::kFloat);
}
at::Tensor ones(at::IntArrayRef shape) {
  return at::ones(shape, at::kFloat);
}

at::Tensor filled(at::IntArrayRef shape, Rng& rng, double (*draw)(Rng&, double), double scale) {
  at::Tensor t = at::empty(shape, at::kFloat);
  float* p = t.data_ptr<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<float>(draw(rng, scale));
  return t;
}

double uniform_draw(Rng& rng, double limit) {
  return (2.0 * rng.uniform01() - 1.0) * limit;
}
double normal_draw(Rng& rng, double std) {
  return rng.normal() * std;
}

// LeCun-normal kernel (std = 1 / sqrt(fan_in)).
at::Tensor lecun(at::IntArrayRef shape, int64_t fan_in, Rng& rng) {
  return filled(shape, rng, normal_draw, 1.0 / std::sqrt(static_cast<double>(fan_in)));
}

}  // namespace

at::Tensor VitFactory::xavier(int64_t out, int64_t in, Rng& rng) {
  return filled({out, in}, rng, uniform_draw, std::sqrt(6.0 / static_cast<double>(in + out)));
}

std::vector<Component> VitFactory::root(const ArchitectureSpec& arch, int64_t classes,
                                        const std::string& owner, uint64_t seed) {
  const int64_t d = arch.dim;
  const int64_t p = arch.patch;
  const int64_t grid = arch.image_size / arch.patch;
  Rng rng = Rng::derive({seed, 0x726f6f74 /* root */});
  std::vector<Component> out;
  out.emplace_back(owner + "/patch_embedding", ComponentKind::kPatchEmbedding, -1, owner, "",
                   std::vector<std::string>{"weight", "bias"},
                   std::vector<at::Tensor>{
                       lecun({d, arch.channels, p, p}, arch.channels * p * p, rng), zeros({d})});
  out.emplace_back(owner + "/class_token", ComponentKind::kClassToken, -1, owner, "",
                   std::vector<std::string>{"token"}, std::vector<at::Tensor>{zeros({1, 1, d})});
  out.emplace_back(
      owner + "/position_embedding", ComponentKind::kPositionEmbedding, -1, owner, "",
      std::vector<std::string>{"embedding"},
      std::vector<at::Tensor>{filled({1, 1 + grid * grid, d}, rng, normal_draw, 0.02)});
  for (int64_t k = 0; k < arch.depth; ++k) {
    out.push_back(block(owner + "/block" + std::to_string(k), owner, k, arch, rng.next_u64()));
  }
  out.emplace_back(owner + "/final_norm", ComponentKind::kFinalNorm, -1, owner, "",
                   std::vector<std::string>{"weight", "bias"},
                   std::vector<at::Tensor>{ones({d}), zeros({d})});
  out.push_back(head(owner + "/head", owner, d, classes));
  return out;
}

Component VitFactory::block(const std::string& id, const std::string& owner, int64_t index,
                            const ArchitectureSpec& arch, uint64_t seed) {
  const int64_t d = arch.dim;
  const int64_t m = arch.mlp;
  Rng rng(seed);
  return Component(
      id, ComponentKind::kBlock, index, owner, "",
      {"ln1.weight", "ln1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight",
       "attn.proj.bias", "ln2.weight", "ln2.bias", "mlp.fc1.weight", "mlp.fc1.bias",
       "mlp.fc2.weight", "mlp.fc2.bias"},
      {ones({d}), zeros({d}), at::cat({xavier(d, d, rng), xavier(d, d, rng), xavier(d, d, rng)}),
       zeros({3 * d}), xavier(d, d, rng), zeros({d}), ones({d}), zeros({d}), xavier(m, d, rng),
       zeros({m}), xavier(d, m, rng), zeros({d})});
}

Component VitFactory::adapter(const std::string& id, const std::string& owner, int64_t index,
                              int64_t dim, int64_t adapter_dim, uint64_t seed) {
  Rng rng(seed);
  return Component(id, ComponentKind::kAdapter, index, owner, "",
                   {"ln.weight", "ln.bias", "down.weight", "down.bias", "up.weight", "up.bias"},
                   {ones({dim}), zeros({dim}), lecun({adapter_dim, dim}, dim, rng),
                    zeros({adapter_dim}), zeros({dim, adapter_dim}), zeros({dim})});
}

Component VitFactory::head(const std::string& id, const std::string& owner, int64_t dim,
                           int64_t classes, std::optional<uint64_t> uniform_seed) {
  if (!uniform_seed) {
    return Component(id, ComponentKind::kHead, -1, owner, "", {"weight", "bias"},
                     {zeros({classes, dim}), zeros({classes})});
  }
  Rng rng(*uniform_seed);
  const double limit = 1.0 / std::sqrt(static_cast<double>(dim));
  at::Tensor weight = filled({classes, dim}, rng, uniform_draw, limit);
  at::Tensor bias = filled({classes}, rng, uniform_draw, limit);
  return Component(id, ComponentKind::kHead, -1, owner, "", {"weight", "bias"},
                   {std::move(weight), std::move(bias)});
}

}  // namespace evostream::model
