#include "model/nn/moe/moe_factory.hpp"

#include <ATen/ATen.h>

#include "common/rng.hpp"
#include "model/nn/vit/vit_factory.hpp"

namespace evostream::model {

namespace {

// The names and tensors of `block` but those whose names begin with `prefix`, in order.
std::pair<std::vector<std::string>, std::vector<at::Tensor>> without(const Component& block,
                                                                     const std::string& prefix) {
  std::pair<std::vector<std::string>, std::vector<at::Tensor>> out;
  for (size_t t = 0; t < block.names().size(); ++t) {
    if (block.names()[t].rfind(prefix, 0) == 0)
      continue;
    out.first.push_back(block.names()[t]);
    out.second.push_back(block.tensors()[t]);
  }
  return out;
}

// `count` experts' pairs of Xavier-uniform kernels, in: [count, width, dim] and out: [count,
// dim, width], drawn expert by expert (in, then out) from `seed`.
std::pair<at::Tensor, at::Tensor> xavier_pairs(int64_t count, int64_t width, int64_t dim,
                                               uint64_t seed) {
  common::Rng rng(seed);
  std::vector<at::Tensor> in;
  std::vector<at::Tensor> out;
  for (int64_t e = 0; e < count; ++e) {
    in.push_back(VitFactory::xavier(width, dim, rng));
    out.push_back(VitFactory::xavier(dim, width, rng));
  }
  return {at::stack(in), at::stack(out)};
}

}  // namespace

bool MoeFactory::is_moe(const config::ArchitectureSpec& arch, int64_t k) {
  return (k + 1) % arch.moe_every == 0;
}

std::vector<Component> MoeFactory::root(const config::ArchitectureSpec& arch, int64_t classes,
                                        const std::string& owner, uint64_t seed) {
  std::vector<Component> vit = VitFactory::root(arch, classes, owner, seed);
  std::vector<Component> out;
  size_t i = 0;
  for (; vit[i].kind() != ComponentKind::kBlock; ++i)
    out.push_back(std::move(vit[i]));
  out.push_back(task_embedding(owner + "/task_embedding", owner, arch.dim));
  const uint64_t expert_seed = common::Rng::derive({seed, 0x6d6f65 /* moe */}).next_u64();
  const uint64_t attention_seed = common::Rng::derive({seed, 0x61747465 /* atte */}).next_u64();
  for (; i < vit.size() && vit[i].kind() == ComponentKind::kBlock; ++i) {
    const int64_t k = vit[i].index();
    const std::string index = std::to_string(k);
    if (!is_moe(arch, k) && arch.attention_experts > 0) {
      // The dense block's norms and MLP; its attention becomes shared keys and values and
      // the attention experts.
      auto [names, tensors] = without(vit[i], "attn.");
      const int64_t h = arch.dim / arch.heads;
      common::Rng rng(common::Rng::derive({attention_seed, static_cast<uint64_t>(k)}).next_u64());
      names.insert(names.begin() + 2, {"attn.kv.weight", "attn.kv.bias"});
      tensors.insert(tensors.begin() + 2,
                     {VitFactory::xavier(2 * h, arch.dim, rng), at::zeros({2 * h}, at::kFloat)});
      out.emplace_back(owner + "/attention_moe_block" + index, ComponentKind::kAttentionMoeBlock, k,
                       owner, "", std::move(names), std::move(tensors));
      out.push_back(attention_experts(owner + "/attention_experts" + index, owner, k,
                                      arch.attention_experts, arch.dim, h, rng.next_u64()));
      out.push_back(router(owner + "/router" + index, owner, k, arch.attention_experts, arch.dim,
                           arch.heads));
      continue;
    }
    if (!is_moe(arch, k)) {
      out.push_back(std::move(vit[i]));
      continue;
    }
    // The dense block's norms and attention; its MLP becomes the experts.
    auto [names, tensors] = without(vit[i], "mlp.");
    out.emplace_back(owner + "/moe_block" + index, ComponentKind::kMoeBlock, k, owner, "",
                     std::move(names), std::move(tensors));
    out.push_back(experts(owner + "/experts" + index, owner, k, arch.experts, arch.dim,
                          arch.mlp / arch.top_k,
                          common::Rng::derive({expert_seed, static_cast<uint64_t>(k)}).next_u64()));
    out.push_back(router(owner + "/router" + index, owner, k, arch.experts, arch.dim, arch.top_k));
  }
  for (; i < vit.size(); ++i)
    out.push_back(std::move(vit[i]));
  return out;
}

Component MoeFactory::experts(const std::string& id, const std::string& owner, int64_t index,
                              int64_t count, int64_t dim, int64_t hidden, uint64_t seed) {
  auto [fc1, fc2] = xavier_pairs(count, hidden, dim, seed);
  return Component(id, ComponentKind::kExperts, index, owner, "",
                   {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"},
                   {std::move(fc1), at::zeros({count, hidden}, at::kFloat), std::move(fc2),
                    at::zeros({count, dim}, at::kFloat)});
}

Component MoeFactory::attention_experts(const std::string& id, const std::string& owner,
                                        int64_t index, int64_t count, int64_t dim, int64_t width,
                                        uint64_t seed) {
  auto [q, o] = xavier_pairs(count, width, dim, seed);
  return Component(id, ComponentKind::kAttentionExperts, index, owner, "", {"q.weight", "o.weight"},
                   {std::move(q), std::move(o)});
}

Component MoeFactory::router(const std::string& id, const std::string& owner, int64_t index,
                             int64_t experts, int64_t dim, int64_t top_k) {
  return Component(id, ComponentKind::kRouter, index, owner, "", {"weight", "top_k"},
                   {at::zeros({experts, dim}, at::kFloat), at::full({1}, top_k, at::kLong)});
}

Component MoeFactory::task_embedding(const std::string& id, const std::string& owner, int64_t dim) {
  return Component(id, ComponentKind::kTaskEmbedding, -1, owner, "", {"embedding"},
                   {at::zeros({1, 1, dim}, at::kFloat)});
}

}  // namespace evostream::model
