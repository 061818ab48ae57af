#include "model/nn/masked/coefficient_fit.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_family.hpp"

namespace evostream::model {

CoefficientFit::CoefficientFit(const std::vector<const Component*>& path) {
  at::NoGradGuard no_grad;
  for (const MaskedLayer& l : MaskedLayer::of(path)) {
    if (l.alpha == nullptr) {
      throw std::invalid_argument(fmt::format(
          "coefficient fit: layer {} of the path has no coefficients (expected an ImpressLearn "
          "path)",
          stacked_.size()));
    }
    const auto shape = l.shape();
    const at::Tensor w = MaskedFactory::weights(*l.random).narrow(0, 0, shape[0]);
    std::vector<at::Tensor> parts;
    for (const Component* m : l.masks)
      parts.push_back((w * MaskedFactory::mask_of(*m)).flatten());
    stacked_.push_back(at::stack(parts));
    shapes_.push_back(shape);
  }
}

at::Tensor CoefficientFit::logits(const at::Tensor& images, int64_t steps,
                                  double learning_rate) const {
  const at::Tensor x0 = MaskedFamily::input(images);
  std::vector<at::Tensor> alphas;
  std::vector<at::Tensor> m;
  std::vector<at::Tensor> v;
  for (const auto& s : stacked_) {
    alphas.push_back(at::full({s.size(0)}, 1.0 / static_cast<double>(s.size(0))));
    m.push_back(at::zeros({s.size(0)}));
    v.push_back(at::zeros({s.size(0)}));
  }
  auto forward = [&](const std::vector<at::Tensor>& a) {
    at::Tensor x = x0;
    for (size_t l = 0; l < stacked_.size(); ++l) {
      x = at::linear(x, at::matmul(a[l].unsqueeze(0), stacked_[l]).view(shapes_[l]));
      if (l + 1 < stacked_.size())
        x = at::relu(x);
    }
    return x;
  };
  // Adam (β 0.9, 0.999) on the batch's mean entropy.
  for (int64_t step = 1; step <= steps; ++step) {
    for (auto& a : alphas)
      a.requires_grad_(true);
    const at::Tensor log_p = at::log_softmax(forward(alphas), 1);
    (-(log_p.exp() * log_p).sum(1).mean()).backward();
    at::NoGradGuard no_grad;
    const double c1 = 1.0 - std::pow(0.9, static_cast<double>(step));
    const double c2 = 1.0 - std::pow(0.999, static_cast<double>(step));
    for (size_t l = 0; l < alphas.size(); ++l) {
      const at::Tensor g = alphas[l].grad();
      m[l].mul_(0.9).add_(g, 0.1);
      v[l].mul_(0.999).addcmul_(g, g, 0.001);
      alphas[l] = (alphas[l] - learning_rate * (m[l] / c1) / ((v[l] / c2).sqrt() + 1e-8)).detach();
    }
  }
  at::NoGradGuard no_grad;
  for (auto& a : alphas)
    a = a.detach();
  return forward(alphas);
}

}  // namespace evostream::model
