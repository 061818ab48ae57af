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
