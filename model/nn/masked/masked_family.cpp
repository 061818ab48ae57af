#include "model/nn/masked/masked_family.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <stdexcept>

#include "model/nn/masked/masked_factory.hpp"

namespace evostream::model {

namespace {

// A layer bound for computing: what its effective weights are made of.
struct BoundLayer {
  const MaskedLayer* layer = nullptr;
  /// The effective weights when the layer is frozen (combined once).
  at::Tensor fixed;
  /// The random weights (narrowed to the mask's rows), for a trained single mask.
  at::Tensor weights;
  /// W ⊙ M_i stacked as [K, rows · cols], for trained coefficients.
  at::Tensor stacked;
};

class MaskedFunction : public ModelFunction {
 public:
  explicit MaskedFunction(std::vector<MaskedLayer> layers) : layers_(std::move(layers)) {
    for (const MaskedLayer& l : layers_) {
      const auto shape = l.shape();
      BoundLayer b;
      b.layer = &l;
      const at::Tensor w = MaskedFactory::weights(*l.random).narrow(0, 0, shape[0]).to(device());
      at::NoGradGuard no_grad;
      if (l.masks.size() == 1 && (l.frozen() || MaskedFactory::is_packed(*l.masks[0]))) {
        b.fixed = w * MaskedFactory::mask_of(*l.masks[0]).to(device());
      } else if (l.masks.size() == 1) {
        b.weights = w;
      } else {
        std::vector<at::Tensor> parts;
        for (const Component* m : l.masks)
          parts.push_back((w * MaskedFactory::mask_of(*m).to(device())).flatten());
        b.stacked = at::stack(parts);
        if (l.frozen())
          b.fixed = combine(b.stacked, l.alpha->tensor("alpha"), shape);
      }
      bound_.push_back(std::move(b));
    }
    prefix_ = 0;
    while (prefix_ + 1 < static_cast<int64_t>(layers_.size()) &&
           layers_[static_cast<size_t>(prefix_)].frozen())
      ++prefix_;
  }

  bool has_frozen_prefix() const override { return prefix_ > 0; }
  at::Tensor prefix(const at::Tensor& images) const override {
    return run(input(images), 0, prefix_);
  }
  at::Tensor features_after_prefix(const at::Tensor& x) const override {
    return prefix_ > 0 ? run(x, prefix_, depth() - 1) : run(input(x), 0, depth() - 1);
  }
  at::Tensor features(const at::Tensor& images) const override {
    return run(input(images), 0, depth() - 1);
  }
  at::Tensor head(const at::Tensor& features) const override {
    return at::linear(features, effective(depth() - 1));
  }
  int64_t classes() const override { return layers_.back().shape()[0]; }
  std::string head_id() const override {
    const MaskedLayer& l = layers_.back();
    return (l.alpha ? l.alpha : l.masks.front())->id();
  }
  c10::Device device() const override { return layers_.front().random->tensors().front().device(); }
  std::string prefix_key(int64_t) const override {
    std::string key;
    for (int64_t l = 0; l < prefix_; ++l) {
      const MaskedLayer& layer = layers_[static_cast<size_t>(l)];
      key += "|" + layer.random->id();
      for (const Component* m : layer.masks)
        key += "|" + m->id();
      if (layer.alpha)
        key += "|" + layer.alpha->id();
    }
    return key;
  }
  int64_t prefix_bytes(int64_t, int64_t images) const override {
    if (prefix_ == 0)
      return 0;
    return images * layers_[static_cast<size_t>(prefix_ - 1)].shape()[0] *
           static_cast<int64_t>(sizeof(float));
  }
  double prefix_flops(int64_t) const override { return flops(0, prefix_); }
  double rest_flops(int64_t) const override { return flops(prefix_, depth()); }

  /// Number of layers, the head's included.
  int64_t layers() const { return depth(); }
  /// The effective weights of layer l.
  at::Tensor weights(int64_t l) const { return effective(l); }

 private:
  int64_t depth() const { return static_cast<int64_t>(layers_.size()); }

  static at::Tensor combine(const at::Tensor& stacked, const at::Tensor& alpha,
                            const std::vector<int64_t>& shape) {
    return at::matmul(alpha.unsqueeze(0), stacked).view(shape);
  }

  at::Tensor input(const at::Tensor& images) const {
    const int64_t in = layers_.front().shape()[1];
    const at::Tensor x = MaskedFamily::input(images);
    if (x.size(1) != in) {
      throw std::invalid_argument(fmt::format(
          "masked-fc: expected images of {} values (the architecture's image_size² × channels), "
          "found {}",
          in, x.size(1)));
    }
    return x;
  }

  // The effective weights of layer l at this step.
  at::Tensor effective(int64_t l) const {
    const BoundLayer& b = bound_[static_cast<size_t>(l)];
    if (b.fixed.defined())
      return b.fixed;
    const MaskedLayer& layer = *b.layer;
    if (b.weights.defined()) {
      // Straight-through: the binary mask forward, the mask's gradient to the scores (through
      // |scores| for top-k, as edge-popup; directly for the threshold). `soft - soft.detach()`
      // is exactly zero, so the forward value is the binary mask itself.
      const Component& m = *layer.masks.front();
      const at::Tensor& s = m.tensor("scores");
      const bool top_k = MaskedFactory::kept(m) > 0;
      const at::Tensor soft = top_k ? s.abs() : s;
      const at::Tensor mask = MaskedFactory::mask_of(m) + (soft - soft.detach());
      return b.weights * mask;
    }
    return combine(b.stacked, layer.alpha->tensor("alpha"), layer.shape());
  }

  at::Tensor run(at::Tensor x, int64_t from, int64_t to) const {
    for (int64_t l = from; l < to; ++l)
      x = at::relu(at::linear(x, effective(l)));
    return x;
  }

  double flops(int64_t from, int64_t to) const {
    double sum = 0.0;
    for (int64_t l = from; l < to; ++l) {
      const auto shape = layers_[static_cast<size_t>(l)].shape();
      sum += 2.0 * static_cast<double>(shape[0]) * static_cast<double>(shape[1]);
    }
    return sum;
  }

  std::vector<MaskedLayer> layers_;
  std::vector<BoundLayer> bound_;
  int64_t prefix_ = 0;
};

}  // namespace

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
    if (l > 0 && cols != MaskedFactory::layer_shape(*layers[l - 1].random)[0]) {
      throw std::invalid_argument(
          fmt::format("masked path: {} takes {} inputs, but layer {} gives {}", layer.random->id(),
                      cols, l - 1, MaskedFactory::layer_shape(*layers[l - 1].random)[0]));
    }
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

std::unique_ptr<ModelFunction> MaskedFamily::bind(const std::vector<const Component*>& components,
                                                  int64_t image_size) const {
  if (image_size != 0)
    throw std::invalid_argument("masked-fc: paths take images at their own size (image_size 0)");
  return std::make_unique<MaskedFunction>(MaskedLayer::of(components));
}

std::vector<Component> MaskedFamily::root(const streams::ArchitectureSpec& architecture, int64_t,
                                          uint64_t seed) const {
  return MaskedFactory::root(architecture, seed);
}

std::vector<at::Tensor> MaskedFamily::layer_weights(
    const std::vector<const Component*>& components) {
  const MaskedFunction f(MaskedLayer::of(components));
  std::vector<at::Tensor> out;
  for (int64_t l = 0; l < f.layers(); ++l)
    out.push_back(f.weights(l).detach());
  return out;
}

at::Tensor MaskedFamily::input(const at::Tensor& images) {
  return images.flatten(1) * 2.0 - 1.0;
}

double MaskedFamily::forward_flops(const std::vector<const Component*>& components, int64_t) const {
  double sum = 0.0;
  for (const MaskedLayer& l : MaskedLayer::of(components)) {
    const auto shape = l.shape();
    sum += 2.0 * static_cast<double>(shape[0]) * static_cast<double>(shape[1]);
  }
  return sum;
}

}  // namespace evostream::model
