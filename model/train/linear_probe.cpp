#include "model/train/linear_probe.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "streams/batch_sampler.hpp"

namespace evostream::model {

at::Tensor LinearProbe::features(const ModelFunction& f, const streams::ImageSet& set,
                                 int64_t limit) {
  constexpr int64_t kChunk = 128;
  at::NoGradGuard no_grad;
  const int64_t n = limit > 0 ? std::min(limit, set.size()) : set.size();
  at::Tensor images = at::empty({kChunk, set.channels(), set.height(), set.width()}, at::kFloat);
  std::vector<at::Tensor> parts;
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t b = std::min(kChunk, n - start);
    streams::BatchSampler::to_float(set, start, b, images.data_ptr<float>());
    parts.push_back(f.features(images.narrow(0, 0, b).to(f.device())).to(at::kCPU));
  }
  if (parts.empty())
    return at::empty({0, 0}, at::kFloat);
  return at::cat(parts, 0);
}

at::Tensor LinearProbe::labels(const streams::ImageSet& set, int64_t limit) {
  const int64_t n = limit > 0 ? std::min(limit, set.size()) : set.size();
  at::Tensor out = at::empty({n}, at::kLong);
  for (int64_t i = 0; i < n; ++i)
    out.data_ptr<int64_t>()[i] = set.label(i);
  return out;
}

double LinearProbe::accuracy(const at::Tensor& train_features, const at::Tensor& train_labels,
                             int64_t classes, const at::Tensor& test_features,
                             const at::Tensor& test_labels) {
  if (train_features.dim() != 2 || test_features.dim() != 2 ||
      train_features.size(1) != test_features.size(1) ||
      train_features.size(0) != train_labels.size(0) ||
      test_features.size(0) != test_labels.size(0)) {
    throw std::invalid_argument(fmt::format(
        "linear probe: expected [n, dim] features with one label each and the same dim, found "
        "train {} with {} labels, test {} with {} labels",
        fmt::join(train_features.sizes(), "×"), train_labels.size(0),
        fmt::join(test_features.sizes(), "×"), test_labels.size(0)));
  }
  if (train_features.size(0) == 0 || test_features.size(0) == 0 || classes < 1)
    throw std::invalid_argument("linear probe: expected training and test examples and classes");
  const at::Tensor x = train_features.to(at::kFloat);
  const at::Tensor mean = x.mean(0, true);
  const at::Tensor scale = x.std(0, false, true) + 1e-6;
  const at::Tensor train_x = (x - mean) / scale;
  const at::Tensor test_x = (test_features.to(at::kFloat) - mean) / scale;

  at::Tensor w = at::zeros({classes, x.size(1)}, at::kFloat).requires_grad_(true);
  at::Tensor b = at::zeros({classes}, at::kFloat).requires_grad_(true);
  const std::vector<at::Tensor> params{w, b};
  std::vector<at::Tensor> m{at::zeros_like(w), at::zeros_like(b)};
  std::vector<at::Tensor> v{at::zeros_like(w), at::zeros_like(b)};
  constexpr double kBeta1 = 0.9;
  constexpr double kBeta2 = 0.999;
  constexpr double kEps = 1e-8;
  for (int64_t step = 1; step <= kSteps; ++step) {
    at::cross_entropy_loss(at::linear(train_x, w, b), train_labels).backward();
    at::NoGradGuard no_grad;
    const double c1 = 1.0 - std::pow(kBeta1, static_cast<double>(step));
    const double c2 = 1.0 - std::pow(kBeta2, static_cast<double>(step));
    for (size_t i = 0; i < params.size(); ++i) {
      at::Tensor g = params[i].mutable_grad();
      m[i].mul_(kBeta1).add_(g, 1.0 - kBeta1);
      v[i].mul_(kBeta2).addcmul_(g, g, 1.0 - kBeta2);
      params[i].sub_(kLearningRate * (m[i] / c1) / ((v[i] / c2).sqrt() + kEps));
      g.zero_();
    }
  }
  at::NoGradGuard no_grad;
  const at::Tensor predicted = at::linear(test_x, w, b).argmax(1);
  return predicted.eq(test_labels).to(at::kDouble).mean().item<double>();
}

}  // namespace evostream::model
