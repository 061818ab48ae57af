#include "model/nn/vit/activation.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

namespace evostream::model {

namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kCubic = 0.044715f;

// tanh(u) = 1 − 2 / (1 + e^{2u}); |u| ≤ 15 keeps e^{2u} finite (tanh(15) rounds to 1 in float).
// This file builds with -ffast-math so that expf vectorises through libmvec.
inline float tanh_of(float u) {
  u = u > 15.0f ? 15.0f : (u < -15.0f ? -15.0f : u);
  return 1.0f - 2.0f / (1.0f + expf(2.0f * u));
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void gelu_forward(
    const float* __restrict__ x, float* __restrict__ y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float t = tanh_of(kSqrt2OverPi * (v + kCubic * v * v * v));
    y[i] = 0.5f * v * (1.0f + t);
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void gelu_backward(
    const float* __restrict__ x, const float* __restrict__ dy, float* __restrict__ dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float t = tanh_of(kSqrt2OverPi * (v + kCubic * v * v * v));
    const float du = kSqrt2OverPi * (1.0f + 3.0f * kCubic * v * v);
    dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * du);
  }
}

class TanhGelu : public torch::autograd::Function<TanhGelu> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x) {
    TORCH_CHECK(x.scalar_type() == at::kFloat && x.device().is_cpu(),
                "tanh_gelu: expected a float CPU tensor");
    const at::Tensor input = x.contiguous();
    at::Tensor y = at::empty_like(input);
    gelu_forward(input.data_ptr<float>(), y.data_ptr<float>(), input.numel());
    ctx->save_for_backward({input});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];  // the list is returned by value
    const at::Tensor dy = grads[0].contiguous();
    at::Tensor dx = at::empty_like(x);
    gelu_backward(x.data_ptr<float>(), dy.data_ptr<float>(), dx.data_ptr<float>(), x.numel());
    return {dx};
  }
};

}  // namespace

at::Tensor Activation::tanh_gelu(const at::Tensor& x) {
  return TanhGelu::apply(x);
}

}  // namespace evostream::model
