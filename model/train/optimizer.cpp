#include "model/train/optimizer.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <stdexcept>

#include "model/train/train_recipe.hpp"

namespace evostream::model {

Optimizer::Optimizer(std::vector<at::Tensor> params, OptimizerOptions options)
    : params_(std::move(params)), options_(options), steps_(params_.size(), 0) {
  for (const auto& p : params_) {
    first_.push_back(at::zeros_like(p));
    if (options_.kind == OptimizerOptions::Kind::kAdamW)
      second_.push_back(at::zeros_like(p));
  }
}

void Optimizer::zero_grad() {
  for (auto& p : params_) {
    if (p.grad().defined())
      p.mutable_grad().zero_();
  }
}

void Optimizer::set_momentum(size_t i, const at::Tensor& trace) {
  at::Tensor& first = first_.at(i);
  if (trace.sizes() != first.sizes()) {
    throw std::invalid_argument(
        fmt::format("optimizer: the momentum trace of parameter {} has shape {}, expected {}", i,
                    fmt::join(trace.sizes(), "x"), fmt::join(first.sizes(), "x")));
  }
  at::NoGradGuard no_grad;
  first.copy_(trace);
}

void Optimizer::set_adam_state(size_t i, const at::Tensor& first, const at::Tensor& second,
                               int64_t steps) {
  if (options_.kind != OptimizerOptions::Kind::kAdamW)
    throw std::invalid_argument("optimizer: only AdamW has a second moment to start from");
  if (steps < 0)
    throw std::invalid_argument(fmt::format("optimizer: expected steps >= 0, found {}", steps));
  set_momentum(i, first);
  at::Tensor& v = second_.at(i);
  if (second.sizes() != v.sizes()) {
    throw std::invalid_argument(
        fmt::format("optimizer: the second moment of parameter {} has shape {}, expected {}", i,
                    fmt::join(second.sizes(), "x"), fmt::join(v.sizes(), "x")));
  }
  at::NoGradGuard no_grad;
  v.copy_(second);
  steps_.at(i) = steps;
}

double Optimizer::step(double lr) {
  at::NoGradGuard no_grad;
  // The global norm costs a reduction and a synchronisation per tensor: only when clipping.
  double sq = 0.0;
  if (options_.clip_norm > 0) {
    for (const auto& p : params_) {
      if (p.grad().defined())
        sq += p.grad().pow(2).sum().item<double>();
    }
  }
  const double norm = std::sqrt(sq);
  const double scale =
      (options_.clip_norm > 0 && norm > options_.clip_norm) ? options_.clip_norm / norm : 1.0;
  for (size_t i = 0; i < params_.size(); ++i) {
    at::Tensor& p = params_[i];
    ++steps_[i];
    if (!p.grad().defined())
      continue;
    at::Tensor g = scale == 1.0 ? p.grad() : p.grad() * scale;
    if (options_.kind == OptimizerOptions::Kind::kSgd) {
      if (options_.momentum > 0) {
        first_[i].mul_(options_.momentum).add_(g);
        if (options_.nesterov) {
          p.add_(g + first_[i] * options_.momentum, -lr);
        } else {
          p.add_(first_[i], -lr);
        }
      } else {
        p.add_(g, -lr);
      }
    } else {
      constexpr double b1 = 0.9;
      constexpr double b2 = 0.999;
      constexpr double eps = 1e-8;
      first_[i].mul_(b1).add_(g, 1 - b1);
      second_[i].mul_(b2).addcmul_(g, g, 1 - b2);
      const double c1 = 1 - std::pow(b1, static_cast<double>(steps_[i]));
      const double c2 = 1 - std::pow(b2, static_cast<double>(steps_[i]));
      p.mul_(1 - lr * options_.weight_decay);
      p.addcdiv_(first_[i], (second_[i] / c2).sqrt_().add_(eps), -lr / c1);
    }
  }
  return norm;
}

double scheduled_learning_rate(Schedule schedule, double lr, double warmup_ratio, int64_t step,
                               int64_t total, int64_t cycle) {
  const Schedule s = schedule;
  if (s == Schedule::kConstant)
    return 0.5 * lr;
  if (s == Schedule::kFlat)
    return lr;
  const auto warmup = static_cast<int64_t>(std::llround(warmup_ratio * static_cast<double>(total)));
  if (step < warmup) {
    const double f = static_cast<double>(step + 1) / static_cast<double>(warmup);
    return lr / 100.0 + (lr - lr / 100.0) * f;
  }
  double progress;
  if (s == Schedule::kRestarts && cycle > 0) {
    progress = static_cast<double>((step - warmup) % cycle) / static_cast<double>(cycle);
  } else {
    const int64_t span = std::max<int64_t>(1, total - warmup);
    progress = static_cast<double>(step - warmup) / static_cast<double>(span);
  }
  return 0.5 * lr * (1.0 + std::cos(M_PI * progress));
}

}  // namespace evostream::model
