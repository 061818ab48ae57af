#include "model/nn/masked/masked_layer.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <stdexcept>

#include "model/nn/masked/masked_factory.hpp"

namespace evostream::model {

bool MaskedLayer::frozen() const {
  for (const Component* m : masks) {
    if (!m->frozen())
      return false;
  }
  return alpha == nullptr || alpha->frozen();
}

std::vector<int64_t> MaskedLayer::shape() const {
  return MaskedFactory::shape_of(*masks.front());
}

std::vector<MaskedLayer> MaskedLayer::of(const std::vector<const Component*>& components) {
  std::vector<MaskedLayer> layers;
  auto misplaced = [](const Component& c, size_t at, const std::string& expected) {
    return std::invalid_argument(
        fmt::format("masked path: component {} ({} {}) at position {}: "
                    "expected {}",
                    c.id(), kind_name(c.kind()), c.index(), at, expected));
  };
  for (size_t i = 0; i < components.size(); ++i) {
    const Component& c = *components[i];
    const auto next = static_cast<int64_t>(layers.size());
    if (c.kind() == ComponentKind::kRandomLinear) {
      if (c.index() != next)
        throw misplaced(c, i, fmt::format("random_linear {}", next));
      if (!layers.empty() && layers.back().masks.empty())
        throw misplaced(c, i, fmt::format("a mask of layer {}", next - 1));
      layers.push_back({&c, {}, nullptr});
      continue;
    }
    if (layers.empty() || c.index() != next - 1 ||
        (c.kind() != ComponentKind::kMask && c.kind() != ComponentKind::kAlpha) ||
        layers.back().alpha != nullptr) {
      throw misplaced(c, i,
                      layers.empty() ? std::string("random_linear 0")
                                     : fmt::format("a mask or alpha of layer {}, or "
                                                   "random_linear {}",
                                                   next - 1, next));
    }
    if (c.kind() == ComponentKind::kMask) {
      layers.back().masks.push_back(&c);
    } else {
      layers.back().alpha = &c;
    }
  }
  if (layers.empty())
    throw std::invalid_argument("masked path: no layer");
  for (size_t l = 0; l < layers.size(); ++l) {
    const MaskedLayer& layer = layers[l];
    if (layer.masks.empty())
      throw std::invalid_argument(fmt::format("masked path: layer {} has no mask", l));
    const auto shape = MaskedFactory::layer_shape(*layer.random);
    const int64_t rows = shape[0];
    const int64_t cols = shape[1];
    for (const Component* m : layer.masks) {
      const auto s = MaskedFactory::shape_of(*m);
      const bool last = l + 1 == layers.size();
      if (s[1] != cols || (last ? s[0] > rows : s[0] != rows)) {
        throw std::invalid_argument(
            fmt::format("masked path: mask {} is {}×{}, but layer {} is {}×{}{}", m->id(), s[0],
                        s[1], l, rows, cols, last ? " (a head mask may have fewer rows)" : ""));
      }
    }
    const size_t k = layer.masks.size();
    if (k > 1 && layer.alpha == nullptr)
      throw std::invalid_argument(
          fmt::format("masked path: layer {} has {} masks but no alpha", l, k));
    if (layer.alpha != nullptr && layer.alpha->tensor("alpha").numel() != static_cast<int64_t>(k))
      throw std::invalid_argument(fmt::format("masked path: {} has {} coefficients for {} masks",
                                              layer.alpha->id(),
                                              layer.alpha->tensor("alpha").numel(), k));
  }
  return layers;
}

}  // namespace evostream::model
