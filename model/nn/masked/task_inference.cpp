#include "model/nn/masked/task_inference.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "model/nn/masked/masked_family.hpp"

namespace evostream::model {

TaskInference::TaskInference(const std::vector<std::vector<const Component*>>& paths)
    : tasks_(static_cast<int64_t>(paths.size())) {
  if (paths.empty())
    throw std::invalid_argument("task inference: expected at least one learned task");
  std::vector<std::vector<at::Tensor>> per_layer;
  for (size_t t = 0; t < paths.size(); ++t) {
    const auto weights = MaskedFamily::layer_weights(paths[t]);
    if (per_layer.empty())
      per_layer.resize(weights.size());
    if (weights.size() != per_layer.size())
      throw std::invalid_argument("task inference: the tasks' paths have different depths");
    for (size_t l = 0; l < weights.size(); ++l) {
      if (t > 0 && !weights[l].sizes().equals(per_layer[l].front().sizes())) {
        throw std::invalid_argument(fmt::format(
            "task inference: layer {} of task {} is {}×{}, of task 0 {}×{} (every task's head "
            "needs the same classes)",
            l, t, weights[l].size(0), weights[l].size(1), per_layer[l].front().size(0),
            per_layer[l].front().size(1)));
      }
      per_layer[l].push_back(weights[l]);
    }
  }
  for (const auto& layer : per_layer)
    stacked_.push_back(at::stack(layer));
}

TaskInference::Method TaskInference::method_named(const std::string& name) {
  if (name == "oneshot")
    return Method::kOneShot;
  if (name == "binary")
    return Method::kBinary;
  if (name == "entropy")
    return Method::kEntropy;
  throw std::invalid_argument(fmt::format(
      "task inference: expected \"oneshot\", \"binary\" or \"entropy\", found \"{}\"", name));
}

int64_t TaskInference::infer(const at::Tensor& images, Method method) const {
  if (method == Method::kEntropy) {
    int64_t best = 0;
    double lowest = 0.0;
    for (int64_t t = 0; t < tasks_; ++t) {
      const at::Tensor log_p = at::log_softmax(logits(t, images), 1);
      const double entropy = -(log_p.exp() * log_p).sum(1).mean().item<double>();
      if (t == 0 || entropy < lowest) {
        lowest = entropy;
        best = t;
      }
    }
    return best;
  }
  const bool binary = method == Method::kBinary;
  const at::Tensor x0 = MaskedFamily::input(images);
  std::vector<int64_t> candidates(static_cast<size_t>(tasks_));
  std::iota(candidates.begin(), candidates.end(), 0);
  while (candidates.size() > 1) {
    std::vector<float> start(static_cast<size_t>(tasks_), 0.0f);
    for (const int64_t c : candidates)
      start[static_cast<size_t>(c)] = 1.0f / static_cast<float>(candidates.size());
    const at::Tensor alpha = at::tensor(start).requires_grad_(true);
    at::Tensor x = x0;
    for (size_t l = 0; l < stacked_.size(); ++l) {
      const at::Tensor& s = stacked_[l];
      const at::Tensor w =
          at::matmul(alpha.unsqueeze(0), s.flatten(1)).view({s.size(1), s.size(2)});
      x = at::linear(x, w);
      if (l + 1 < stacked_.size())
        x = at::relu(x);
    }
    const at::Tensor log_p = at::log_softmax(x, 1);
    const at::Tensor entropy = -(log_p.exp() * log_p).sum(1).mean();
    entropy.backward();
    const at::Tensor g = alpha.grad().contiguous();
    const float* gp = g.data_ptr<float>();
    // Lowest gradient first; among equal gradients the order of the candidates is kept.
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](int64_t a, int64_t b) { return gp[a] < gp[b]; });
    if (!binary)
      return candidates.front();
    candidates.resize((candidates.size() + 1) / 2);
  }
  return candidates.front();
}

at::Tensor TaskInference::logits(int64_t task, const at::Tensor& images) const {
  at::NoGradGuard no_grad;
  at::Tensor x = MaskedFamily::input(images);
  for (size_t l = 0; l < stacked_.size(); ++l) {
    x = at::linear(x, stacked_[l][task]);
    if (l + 1 < stacked_.size())
      x = at::relu(x);
  }
  return x;
}

}  // namespace evostream::model
