#include "model/nn/vit/vit_family.hpp"

#include <ATen/ATen.h>

#include "model/nn/vit/flop_count.hpp"
#include "model/nn/vit/vit_factory.hpp"

namespace evostream::model {

namespace {

// Index of the first block whose adapter or block trains; everything before it (and the
// embedding, when frozen) can run without autograd. Returns -1 when the embedding trains.
int64_t frozen_prefix_blocks(const VitLayout& l) {
  if (!l.patch_embedding->frozen() || !l.class_token->frozen() || !l.position_embedding->frozen()) {
    return -1;
  }
  for (size_t k = 0; k < l.blocks.size(); ++k) {
    if (!l.blocks[k]->frozen() || (l.adapters[k] != nullptr && !l.adapters[k]->frozen())) {
      return static_cast<int64_t>(k);
    }
  }
  return static_cast<int64_t>(l.blocks.size());
}

}  // namespace

std::unique_ptr<ModelFunction> VitFamily::bind(const std::vector<const Component*>& components,
                                               int64_t image_size) const {
  return std::make_unique<VitModelFunction>(VitLayout::of(components), heads_, image_size);
}

double VitFamily::forward_flops(const std::vector<const Component*>& components,
                                int64_t side) const {
  return FlopCount::forward(VitLayout::of(components), side);
}

std::vector<Component> VitFamily::root(const config::ArchitectureSpec& architecture,
                                       int64_t classes, uint64_t seed) const {
  return VitFactory::root(architecture, classes, "root", seed);
}

VitModelFunction::VitModelFunction(const VitLayout& layout, int64_t heads, int64_t image_size)
    : f_(layout, heads, image_size), prefix_(frozen_prefix_blocks(layout)) {}

at::Tensor VitModelFunction::prefix(const at::Tensor& images) const {
  return f_.run_blocks(f_.embed(images), 0, prefix_, prefix_ == f_.depth());
}

at::Tensor VitModelFunction::features_after_prefix(const at::Tensor& x) const {
  if (prefix_ < 0)
    return f_.features(f_.run_blocks(f_.embed(x), 0, f_.depth(), true));
  return f_.features(f_.run_blocks(x, prefix_, f_.depth(), true));
}

at::Tensor VitModelFunction::features(const at::Tensor& images) const {
  return f_.features(f_.run_blocks(f_.embed(images), 0, f_.depth(), true));
}

c10::Device VitModelFunction::device() const {
  return f_.layout().patch_embedding->tensors().front().device();
}

std::string VitModelFunction::prefix_key(int64_t) const {
  std::string key;
  for (const Component* c : f_.layout().ordered()) {
    const bool in_prefix =
        c->kind() == ComponentKind::kPatchEmbedding || c->kind() == ComponentKind::kClassToken ||
        c->kind() == ComponentKind::kPositionEmbedding ||
        ((c->kind() == ComponentKind::kBlock || c->kind() == ComponentKind::kAdapter) &&
         c->index() < prefix_);
    if (in_prefix)
      key += "|" + c->id();
  }
  return key;
}

int64_t VitModelFunction::prefix_bytes(int64_t side, int64_t images) const {
  const VitLayout& l = f_.layout();
  const int64_t grid = side / l.patch();
  const int64_t tokens = prefix_ == f_.depth() ? 1 : 1 + grid * grid;
  return images * tokens * l.dim() * static_cast<int64_t>(sizeof(float));
}

double VitModelFunction::prefix_flops(int64_t side) const {
  if (prefix_ < 0)
    return 0.0;
  return FlopCount::embedding(f_.layout(), side) + FlopCount::blocks(f_.layout(), side, 0, prefix_);
}

double VitModelFunction::rest_flops(int64_t side) const {
  const int64_t from = std::max<int64_t>(prefix_, 0);
  return (prefix_ < 0 ? FlopCount::embedding(f_.layout(), side) : 0.0) +
         FlopCount::blocks(f_.layout(), side, from, f_.depth()) + FlopCount::head(f_.layout());
}

}  // namespace evostream::model
