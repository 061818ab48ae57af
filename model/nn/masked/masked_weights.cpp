#include "model/nn/masked/masked_weights.hpp"

#include <ATen/ATen.h>

#include "model/nn/masked/masked_factory.hpp"

namespace evostream::model {

namespace {

at::Tensor combine(const at::Tensor& stacked, const at::Tensor& alpha,
                   const std::vector<int64_t>& shape) {
  return at::matmul(alpha.unsqueeze(0), stacked).view(shape);
}

}  // namespace

MaskedWeights::MaskedWeights(std::vector<MaskedLayer> layers) : layers_(std::move(layers)) {
  const c10::Device on = device();
  for (const MaskedLayer& l : layers_) {
    const auto shape = l.shape();
    Bound b;
    const at::Tensor w = MaskedFactory::weights(*l.random).narrow(0, 0, shape[0]).to(on);
    at::NoGradGuard no_grad;
    if (l.masks.size() == 1 && (l.frozen() || MaskedFactory::is_packed(*l.masks[0]))) {
      b.fixed = w * MaskedFactory::mask_of(*l.masks[0]).to(on);
    } else if (l.masks.size() == 1) {
      b.weights = w;
    } else {
      std::vector<at::Tensor> parts;
      for (const Component* m : l.masks)
        parts.push_back((w * MaskedFactory::mask_of(*m).to(on)).flatten());
      b.stacked = at::stack(parts);
      if (l.frozen())
        b.fixed = combine(b.stacked, l.alpha->tensor("alpha"), shape);
    }
    bound_.push_back(std::move(b));
  }
}

at::Tensor MaskedWeights::effective(int64_t l) const {
  const Bound& b = bound_[static_cast<size_t>(l)];
  if (b.fixed.defined())
    return b.fixed;
  const MaskedLayer& layer = layers_[static_cast<size_t>(l)];
  if (b.weights.defined()) {
    // Straight-through: `soft - soft.detach()` is exactly zero, so the forward value is the
    // binary mask itself, and the mask's gradient reaches the scores.
    const Component& m = *layer.masks.front();
    const at::Tensor& s = m.tensor("scores");
    const bool top_k = MaskedFactory::kept(m) > 0;
    const at::Tensor soft = top_k ? s.abs() : s;
    const at::Tensor mask = MaskedFactory::mask_of(m) + (soft - soft.detach());
    return b.weights * mask;
  }
  return combine(b.stacked, layer.alpha->tensor("alpha"), layer.shape());
}

std::string MaskedWeights::key(int64_t to) const {
  std::string key;
  for (int64_t l = 0; l < to; ++l) {
    const MaskedLayer& layer = layers_[static_cast<size_t>(l)];
    key += "|" + layer.random->id();
    for (const Component* m : layer.masks)
      key += "|" + m->id();
    if (layer.alpha)
      key += "|" + layer.alpha->id();
  }
  return key;
}

c10::Device MaskedWeights::device() const {
  return layers_.front().random->tensors().front().device();
}

}  // namespace evostream::model
