#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/train/optimizer.hpp"

using namespace evostream::model;
using Catch::Matchers::Contains;

TEST_CASE("Cosine schedules warm up from lr/100 and decay to zero", "[model]") {
  const double lr = 0.1;
  CHECK(scheduled_learning_rate(Schedule::kCosine, lr, 0.1, 0, 100, 0) ==
        Approx(0.001 + 0.099 * 0.1));
  CHECK(scheduled_learning_rate(Schedule::kCosine, lr, 0.1, 9, 100, 0) == Approx(lr));
  CHECK(scheduled_learning_rate(Schedule::kCosine, lr, 0.1, 10, 100, 0) == Approx(lr));
  CHECK(scheduled_learning_rate(Schedule::kCosine, lr, 0.1, 55, 100, 0) == Approx(0.05));
  CHECK(scheduled_learning_rate(Schedule::kCosine, lr, 0.1, 99, 100, 0) < 0.001);
  CHECK(scheduled_learning_rate(Schedule::kConstant, lr, 0.1, 50, 100, 0) == Approx(0.05));
  // Restarts: a full cosine cycle every 20 steps after warmup.
  CHECK(scheduled_learning_rate(Schedule::kRestarts, lr, 0.1, 10, 100, 20) == Approx(lr));
  CHECK(scheduled_learning_rate(Schedule::kRestarts, lr, 0.1, 30, 100, 20) == Approx(lr));
  CHECK(scheduled_learning_rate(Schedule::kRestarts, lr, 0.1, 20, 100, 20) == Approx(0.05));
}

TEST_CASE("SGD applies momentum and clips the global gradient norm", "[model]") {
  at::Tensor p = at::zeros({2});
  p.requires_grad_(true);
  OptimizerOptions o;
  o.momentum = 0.5;
  Optimizer opt({p}, o);
  p.mutable_grad() = at::tensor({3.0f, 4.0f});  // norm 5 → clipped to 1: (0.6, 0.8)
  CHECK(opt.step(1.0) == Approx(5.0));
  CHECK(p[0].item<float>() == Approx(-0.6f));
  CHECK(p[1].item<float>() == Approx(-0.8f));
  p.mutable_grad() = at::tensor({0.3f, 0.4f});  // norm 0.5, not clipped; trace = 0.5 * t + g
  opt.step(1.0);
  CHECK(p[0].item<float>() == Approx(-0.6f - (0.3f + 0.3f)));
  CHECK(p[1].item<float>() == Approx(-0.8f - (0.4f + 0.4f)));
  // Without clipping the norm is not computed and the gradient applies as it is.
  o.clip_norm = 0.0;
  o.momentum = 0.0;
  at::Tensor q = at::zeros({2});
  q.requires_grad_(true);
  Optimizer plain({q}, o);
  q.mutable_grad() = at::tensor({3.0f, 4.0f});
  CHECK(plain.step(1.0) == 0.0);
  CHECK(q[0].item<float>() == Approx(-3.0f));
  CHECK(q[1].item<float>() == Approx(-4.0f));
}

TEST_CASE("SGD can start from an earlier momentum trace", "[model]") {
  at::Tensor p = at::zeros({2});
  p.requires_grad_(true);
  OptimizerOptions o;
  o.momentum = 0.5;
  Optimizer opt({p}, o);
  opt.set_momentum(0, at::tensor({0.2f, -0.2f}));
  p.mutable_grad() = at::tensor({0.1f, 0.1f});  // trace = 0.5 * (0.2, -0.2) + g = (0.2, 0)
  opt.step(1.0);
  CHECK(p[0].item<float>() == Approx(-0.2f));
  CHECK(p[1].item<float>() == Approx(0.0f).margin(1e-7));
  CHECK(opt.momentum(0)[0].item<float>() == Approx(0.2f));
  CHECK_THROWS_WITH(opt.set_momentum(0, at::zeros({3})),
                    Contains("momentum trace of parameter 0 has shape 3, expected 2"));
}

TEST_CASE("Nesterov SGD looks ahead along the momentum", "[model]") {
  at::Tensor p = at::zeros({1});
  p.requires_grad_(true);
  OptimizerOptions o;
  o.momentum = 0.9;
  o.nesterov = true;
  Optimizer opt({p}, o);
  p.mutable_grad() = at::tensor({0.5f});
  opt.step(1.0);  // trace 0.5; update g + m * trace = 0.5 + 0.45
  CHECK(p[0].item<float>() == Approx(-0.95f));
}

TEST_CASE("AdamW's first step moves each parameter by about the learning rate", "[model]") {
  at::Tensor p = at::ones({3});
  p.requires_grad_(true);
  OptimizerOptions o;
  o.kind = OptimizerOptions::Kind::kAdamW;
  o.weight_decay = 0.0;
  Optimizer opt({p}, o);
  p.mutable_grad() = at::tensor({0.1f, -0.2f, 0.3f});
  opt.step(0.01);
  CHECK(p[0].item<float>() == Approx(0.99f).margin(1e-5));
  CHECK(p[1].item<float>() == Approx(1.01f).margin(1e-5));
}

TEST_CASE("AdamW continued from its carried state takes the steps one optimizer would have",
          "[model]") {
  OptimizerOptions o;
  o.kind = OptimizerOptions::Kind::kAdamW;
  o.weight_decay = 0.0;
  o.clip_norm = 0.0;
  at::manual_seed(5);
  std::vector<at::Tensor> grads;
  for (int i = 0; i < 8; ++i)
    grads.push_back(at::randn({3}));
  // One optimizer for all eight steps.
  at::Tensor whole = at::ones({3}).requires_grad_(true);
  Optimizer one({whole}, o);
  for (const auto& g : grads) {
    whole.mutable_grad() = g.clone();
    one.step(0.01);
  }
  // Four steps, then a second optimizer started from the first one's state.
  at::Tensor split = at::ones({3}).requires_grad_(true);
  Optimizer first({split}, o);
  for (int i = 0; i < 4; ++i) {
    split.mutable_grad() = grads[static_cast<size_t>(i)].clone();
    first.step(0.01);
  }
  CHECK(first.steps(0) == 4);
  at::Tensor fresh = at::zeros({2}).requires_grad_(true);  // a new head: its own count from 0
  Optimizer second({split, fresh}, o);
  second.set_adam_state(0, first.momentum(0), first.second_moment(0), first.steps(0));
  for (int i = 4; i < 8; ++i) {
    split.mutable_grad() = grads[static_cast<size_t>(i)].clone();
    fresh.mutable_grad() = at::ones({2});
    second.step(0.01);
  }
  CHECK(second.steps(0) == 8);
  CHECK(second.steps(1) == 4);
  CHECK(split.equal(whole));
  // Restarting instead (Adam's moments from zero) takes other steps.
  at::Tensor restarted = split.detach().clone().requires_grad_(true);
  at::Tensor reference = split.detach().clone().requires_grad_(true);
  Optimizer again({restarted}, o);
  Optimizer carried({reference}, o);
  carried.set_adam_state(0, second.momentum(0), second.second_moment(0), second.steps(0));
  restarted.mutable_grad() = grads[0].clone();
  reference.mutable_grad() = grads[0].clone();
  again.step(0.01);
  carried.step(0.01);
  CHECK_FALSE(restarted.equal(reference));

  CHECK_THROWS_WITH(second.set_adam_state(0, at::zeros({3}), at::zeros({4}), 1),
                    Contains("second moment of parameter 0 has shape 4, expected 3"));
  CHECK_THROWS_WITH(second.set_adam_state(0, at::zeros({3}), at::zeros({3}), -1),
                    Contains("expected steps >= 0, found -1"));
  OptimizerOptions sgd;
  Optimizer plain({at::zeros({3}).requires_grad_(true)}, sgd);
  CHECK_THROWS_WITH(plain.set_adam_state(0, at::zeros({3}), at::zeros({3}), 1),
                    Contains("only AdamW has a second moment"));
}
