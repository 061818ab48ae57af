#include "model/nn/moe/moe_family.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "model/nn/moe/attention_mixture.hpp"
#include "model/nn/moe/expert_mixture.hpp"
#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/vit/flop_count.hpp"

namespace evostream::model {

namespace {

// The ViT roles that `VitFunction` reads for the embedding, the features and the head.
VitLayout vit_part(const MoeVitLayout& l) {
  VitLayout v;
  v.patch_embedding = l.patch_embedding;
  v.class_token = l.class_token;
  v.position_embedding = l.position_embedding;
  v.final_norm = l.final_norm;
  v.head = l.head;
  return v;
}

double embedding_flops(const MoeVitLayout& l, int64_t side) {
  return FlopCount::embedding(vit_part(l), side);
}

double head_flops(const MoeVitLayout& l) {
  return FlopCount::head(vit_part(l));
}

}  // namespace

std::unique_ptr<ModelFunction> MoeVitFamily::bind(const std::vector<const Component*>& components,
                                                  int64_t image_size) const {
  return std::make_unique<MoeVitModelFunction>(MoeVitLayout::of(components), heads_, image_size);
}

double MoeVitFamily::forward_flops(const std::vector<const Component*>& components,
                                   int64_t side) const {
  const MoeVitLayout l = MoeVitLayout::of(components);
  return embedding_flops(l, side) + MoeVitModelFunction::block_flops(l, side) + head_flops(l);
}

int64_t MoeVitFamily::active_params(const std::vector<const Component*>& components) const {
  const MoeVitLayout l = MoeVitLayout::of(components);
  int64_t n = ModelFamily::active_params(components);
  for (const MoeVitLayout::Block& b : l.blocks) {
    if (!b.moe())
      continue;
    int64_t all = 0;
    for (const Component* g : b.experts)
      all += g->num_params();
    const int64_t experts = b.expert_count();
    n -= all / experts * (experts - std::min(experts, MoeVitLayout::top_k(*b.router)));
  }
  return n;
}

std::vector<Component> MoeVitFamily::root(const config::ArchitectureSpec& architecture,
                                          int64_t classes, uint64_t seed) const {
  return MoeFactory::root(architecture, classes, "root", seed);
}

MoeVitModelFunction::MoeVitModelFunction(const MoeVitLayout& layout, int64_t heads,
                                         int64_t image_size)
    : layout_(layout),
      vit_(vit_part(layout), heads, image_size),
      heads_(heads),
      frozen_embedding_(layout.patch_embedding->frozen() && layout.class_token->frozen() &&
                        layout.position_embedding->frozen()) {
  if (layout_.dim() % heads_ != 0) {
    throw std::invalid_argument("path width " + std::to_string(layout_.dim()) +
                                " is not a multiple of the " + std::to_string(heads_) +
                                " attention heads");
  }
}

void MoeVitModelFunction::record(const MixtureOutput& mixed, int64_t tokens, bool joint) const {
  routing_.probability_sums.push_back(mixed.probability_sum);
  routing_.selections.push_back(mixed.selections);
  routing_.tokens.push_back(tokens);
  if (joint) {
    routing_.task_probability_sums.push_back(mixed.task_probability_sum);
    routing_.task_tokens.push_back(mixed.task_tokens);
  }
}

at::Tensor MoeVitModelFunction::run_blocks(at::Tensor x, const at::Tensor& tasks) const {
  routing_.clear();
  const int64_t joint = layout_.tasks();
  if (joint > 1 && !tasks.defined()) {
    throw std::invalid_argument(fmt::format(
        "the joint model of {} tasks (head {}) needs each example's task", joint, head_id()));
  }
  const at::Tensor& embedding = layout_.task_embedding->tensor("embedding");
  const at::Tensor task = joint > 1 ? embedding.index_select(0, tasks) : embedding;
  const auto depth = static_cast<int64_t>(layout_.blocks.size());
  for (int64_t k = 0; k < depth; ++k) {
    const MoeVitLayout::Block& b = layout_.blocks[static_cast<size_t>(k)];
    const bool last = k + 1 == depth;
    x = x + task;
    if (!b.moe()) {
      x = VitFunction::block(*b.block, x, heads_, last);
      continue;
    }
    if (b.attention()) {
      const MixtureOutput mixed =
          AttentionMixture::apply(VitFunction::norm(*b.block, "ln1", x), *b.block, b.experts,
                                  *b.router, last, joint > 1 ? tasks : at::Tensor(), joint);
      record(mixed, mixed.y.size(0) * mixed.y.size(1), joint > 1);
      const at::Tensor y = (last ? x.narrow(1, 0, 1) : x) + mixed.y;
      x = y + VitFunction::mlp(*b.block, y);
      continue;
    }
    const at::Tensor y = VitFunction::attend(*b.block, x, heads_, last);
    const at::Tensor m = VitFunction::norm(*b.block, "ln2", y);
    const MixtureOutput mixed =
        joint > 1 ? ExpertMixture::apply(m.reshape({-1, m.size(2)}), b.experts, *b.router,
                                         tasks.repeat_interleave(m.size(1)), joint)
                  : ExpertMixture::apply(m.reshape({-1, m.size(2)}), b.experts, *b.router);
    record(mixed, m.size(0) * m.size(1), joint > 1);
    x = y + mixed.y.view(m.sizes());
  }
  return x;
}

at::Tensor MoeVitModelFunction::features_after_prefix(const at::Tensor& x) const {
  return vit_.features(run_blocks(frozen_embedding_ ? x : vit_.embed(x)));
}

at::Tensor MoeVitModelFunction::task_features_after_prefix(const at::Tensor& x,
                                                           const at::Tensor& tasks) const {
  if (layout_.tasks() == 1)
    return features_after_prefix(x);
  return vit_.features(run_blocks(frozen_embedding_ ? x : vit_.embed(x), tasks));
}

at::Tensor MoeVitModelFunction::features(const at::Tensor& images) const {
  return vit_.features(run_blocks(vit_.embed(images)));
}

c10::Device MoeVitModelFunction::device() const {
  return layout_.patch_embedding->tensors().front().device();
}

std::string MoeVitModelFunction::prefix_key(int64_t) const {
  return "|" + layout_.patch_embedding->id() + "|" + layout_.class_token->id() + "|" +
         layout_.position_embedding->id();
}

int64_t MoeVitModelFunction::prefix_bytes(int64_t side, int64_t images) const {
  const int64_t grid = side / layout_.patch();
  return images * (1 + grid * grid) * layout_.dim() * static_cast<int64_t>(sizeof(float));
}

double MoeVitModelFunction::prefix_flops(int64_t side) const {
  return frozen_embedding_ ? embedding_flops(layout_, side) : 0.0;
}

double MoeVitModelFunction::rest_flops(int64_t side) const {
  return (frozen_embedding_ ? 0.0 : embedding_flops(layout_, side)) + block_flops(layout_, side) +
         head_flops(layout_);
}

double MoeVitModelFunction::block_flops(const MoeVitLayout& l, int64_t side) {
  const double g = static_cast<double>(side / l.patch());
  const double t = 1.0 + g * g;
  const auto d = static_cast<double>(l.dim());
  double flops = 0.0;
  for (const MoeVitLayout::Block& b : l.blocks) {
    const auto rows = b.moe() ? static_cast<double>(b.router->tensor("weight").size(0)) : 0.0;
    const auto k = b.moe() ? static_cast<double>(MoeVitLayout::top_k(*b.router)) : 0.0;
    if (b.attention()) {
      const auto h = static_cast<double>(b.experts.front()->tensor("q.weight").size(1));
      flops += 2.0 * t * d * rows;             // the router
      flops += 2.0 * t * d * 2.0 * h;          // shared keys and values
      flops += k * (2.0 * t * d * h * 2.0      // each chosen expert's query and output
                    + 2.0 * 2.0 * t * t * h);  // and its head's scores and weighted sum
    } else {
      flops += FlopCount::attention(t, d);
    }
    if (!b.moe() || b.attention()) {
      const auto m = static_cast<double>(b.block->tensor("mlp.fc1.weight").size(0));
      flops += 2.0 * 2.0 * t * d * m;
      continue;
    }
    const auto h = static_cast<double>(b.experts.front()->tensor("fc1.weight").size(1));
    flops += 2.0 * t * d * rows;         // the router
    flops += k * 2.0 * 2.0 * t * d * h;  // the top k experts
  }
  return flops;
}

}  // namespace evostream::model
