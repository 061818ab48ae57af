#include "model/nn/masked/masked_family.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <stdexcept>

#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_weights.hpp"

namespace evostream::model {

namespace {

// The masked-fc layers of `components`: each layer reads what the one before gives.
std::vector<MaskedLayer> chained(const std::vector<const Component*>& components) {
  std::vector<MaskedLayer> layers = MaskedLayer::of(components);
  for (size_t l = 1; l < layers.size(); ++l) {
    const int64_t cols = MaskedFactory::layer_shape(*layers[l].random)[1];
    const int64_t given = MaskedFactory::layer_shape(*layers[l - 1].random)[0];
    if (cols != given) {
      throw std::invalid_argument(
          fmt::format("masked path: {} takes {} inputs, but layer {} gives {}",
                      layers[l].random->id(), cols, l - 1, given));
    }
  }
  return layers;
}

class MaskedFunction : public ModelFunction {
 public:
  explicit MaskedFunction(std::vector<MaskedLayer> layers) : weights_(std::move(layers)) {
    prefix_ = 0;
    while (prefix_ + 1 < depth() && weights_.layer(prefix_).frozen())
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
    return at::linear(features, weights_.effective(depth() - 1));
  }
  int64_t classes() const override { return weights_.layer(depth() - 1).shape()[0]; }
  std::string head_id() const override {
    const MaskedLayer& l = weights_.layer(depth() - 1);
    return (l.alpha ? l.alpha : l.masks.front())->id();
  }
  c10::Device device() const override { return weights_.device(); }
  std::string prefix_key(int64_t) const override { return weights_.key(prefix_); }
  int64_t prefix_bytes(int64_t, int64_t images) const override {
    if (prefix_ == 0)
      return 0;
    return images * weights_.layer(prefix_ - 1).shape()[0] * static_cast<int64_t>(sizeof(float));
  }
  double prefix_flops(int64_t) const override { return flops(0, prefix_); }
  double rest_flops(int64_t) const override { return flops(prefix_, depth()); }

  /// The effective weights of layer l.
  at::Tensor weights(int64_t l) const { return weights_.effective(l); }
  /// Number of layers, the head's included.
  int64_t depth() const { return weights_.size(); }

 private:
  at::Tensor input(const at::Tensor& images) const {
    const int64_t in = weights_.layer(0).shape()[1];
    const at::Tensor x = MaskedFamily::input(images);
    if (x.size(1) != in) {
      throw std::invalid_argument(fmt::format(
          "masked-fc: expected images of {} values (the architecture's image_size² × channels), "
          "found {}",
          in, x.size(1)));
    }
    return x;
  }

  at::Tensor run(at::Tensor x, int64_t from, int64_t to) const {
    for (int64_t l = from; l < to; ++l)
      x = at::relu(at::linear(x, weights_.effective(l)));
    return x;
  }

  double flops(int64_t from, int64_t to) const {
    double sum = 0.0;
    for (int64_t l = from; l < to; ++l) {
      const auto shape = weights_.layer(l).shape();
      sum += 2.0 * static_cast<double>(shape[0]) * static_cast<double>(shape[1]);
    }
    return sum;
  }

  MaskedWeights weights_;
  int64_t prefix_ = 0;
};

}  // namespace

std::unique_ptr<ModelFunction> MaskedFamily::bind(const std::vector<const Component*>& components,
                                                  int64_t image_size) const {
  if (image_size != 0)
    throw std::invalid_argument("masked-fc: paths take images at their own size (image_size 0)");
  return std::make_unique<MaskedFunction>(chained(components));
}

std::vector<Component> MaskedFamily::root(const config::ArchitectureSpec& architecture, int64_t,
                                          uint64_t seed) const {
  return MaskedFactory::root(architecture, seed);
}

std::vector<at::Tensor> MaskedFamily::layer_weights(
    const std::vector<const Component*>& components) {
  const MaskedFunction f(chained(components));
  std::vector<at::Tensor> out;
  for (int64_t l = 0; l < f.depth(); ++l)
    out.push_back(f.weights(l).detach());
  return out;
}

at::Tensor MaskedFamily::input(const at::Tensor& images) {
  return images.flatten(1) * 2.0 - 1.0;
}

double MaskedFamily::forward_flops(const std::vector<const Component*>& components, int64_t) const {
  double sum = 0.0;
  for (const MaskedLayer& l : chained(components)) {
    const auto shape = l.shape();
    sum += 2.0 * static_cast<double>(shape[0]) * static_cast<double>(shape[1]);
  }
  return sum;
}

}  // namespace evostream::model
