#include "model/train/fisher.hpp"

#include <ATen/ATen.h>

#include <stdexcept>

#include "streams/batch_sampler.hpp"

namespace evostream::model {

std::vector<std::vector<at::Tensor>> diagonal_fisher(
    const std::vector<std::shared_ptr<const Component>>& path, const streams::ImageSet& set,
    int64_t batch_size, const ModelFamily& family, int64_t image_size) {
  if (set.empty() || batch_size < 1)
    throw std::invalid_argument("diagonal_fisher: expected images and a batch size >= 1");
  // Working copies whose tensors collect gradients; the originals stay untouched.
  std::vector<Component> working;
  working.reserve(path.size());
  std::vector<const Component*> pointers;
  std::vector<std::vector<at::Tensor>> fisher;
  for (const auto& c : path) {
    working.push_back(c->copy());
    std::vector<at::Tensor> zeros;
    for (const auto& t : working.back().tensors()) {
      t.requires_grad_(true);
      zeros.push_back(at::zeros_like(t).detach());
    }
    fisher.push_back(std::move(zeros));
  }
  for (const auto& w : working)
    pointers.push_back(&w);
  const auto bound = family.bind(pointers, image_size);
  const ModelFunction& f = *bound;

  at::Tensor images =
      at::empty({batch_size, set.channels(), set.height(), set.width()}, at::kFloat);
  at::Tensor labels = at::empty({batch_size}, at::kLong);
  int64_t batches = 0;
  for (int64_t start = 0; start < set.size(); start += batch_size, ++batches) {
    const int64_t b = std::min(batch_size, set.size() - start);
    streams::BatchSampler::to_float(set, start, b, images.data_ptr<float>());
    int64_t* lab = labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < b; ++i)
      lab[i] = set.label(start + i);
    for (auto& w : working) {
      for (const auto& t : w.tensors()) {
        if (t.grad().defined())
          t.mutable_grad().zero_();
      }
    }
    at::cross_entropy_loss(f.forward(images.narrow(0, 0, b)), labels.narrow(0, 0, b)).backward();
    at::NoGradGuard no_grad;
    for (size_t c = 0; c < working.size(); ++c) {
      const auto& tensors = working[c].tensors();
      for (size_t t = 0; t < tensors.size(); ++t) {
        if (tensors[t].grad().defined())
          fisher[c][t].add_(tensors[t].grad().pow(2));
      }
    }
  }
  at::NoGradGuard no_grad;
  for (auto& per_component : fisher) {
    for (auto& t : per_component)
      t.div_(static_cast<double>(batches));
  }
  return fisher;
}

}  // namespace evostream::model
