#include "model/nn/vit/layer_norm.hpp"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <vector>

#include "model/nn/vit/simd.hpp"

namespace evostream::model {

namespace {

using simd::kLanes;
using simd::load;
using simd::store;
using simd::Vec;

using simd::lane_sum;

// Sum of a row of d floats; vector lanes when d is a multiple of 16.
inline float row_sum(const float* x, int64_t d) {
  if (d % kLanes == 0) {
    Vec acc = {};
    for (int64_t j = 0; j < d; j += kLanes)
      acc += load(x + j);
    return lane_sum(acc);
  }
  float s = 0.0f;
  for (int64_t j = 0; j < d; ++j)
    s += x[j];
  return s;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void layer_norm_forward(
    const float* x, const float* w, const float* b, float* y, float* mean, float* rstd,
    int64_t rows, int64_t d, float eps) {
  const bool vec = d % kLanes == 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    const float m = row_sum(xr, d) / static_cast<float>(d);
    float var = 0.0f;
    if (vec) {
      Vec acc = {};
      for (int64_t j = 0; j < d; j += kLanes) {
        const Vec c = load(xr + j) - m;
        acc += c * c;
      }
      var = lane_sum(acc);
    } else {
      for (int64_t j = 0; j < d; ++j)
        var += (xr[j] - m) * (xr[j] - m);
    }
    const float s = 1.0f / std::sqrt(var / static_cast<float>(d) + eps);
    mean[r] = m;
    rstd[r] = s;
    if (vec) {
      for (int64_t j = 0; j < d; j += kLanes) {
        store(yr + j, (load(xr + j) - m) * s * load(w + j) + load(b + j));
      }
    } else {
      for (int64_t j = 0; j < d; ++j)
        yr[j] = (xr[j] - m) * s * w[j] + b[j];
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void layer_norm_backward(
    const float* x, const float* w, const float* mean, const float* rstd, const float* dy,
    float* dx, float* dw, float* db, int64_t rows, int64_t d) {
  const bool vec = d % kLanes == 0;
  for (int64_t j = 0; j < d; ++j)
    dw[j] = db[j] = 0.0f;
  const auto inv_d = 1.0f / static_cast<float>(d);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    const float* gr = dy + r * d;
    float* dxr = dx + r * d;
    const float m = mean[r];
    const float s = rstd[r];
    // With x̂ = (x − m)·s and g = dy·w: dx = s·(g − mean(g) − x̂·mean(g·x̂)).
    float g_mean = 0.0f;
    float gx_mean = 0.0f;
    if (vec) {
      Vec ga = {};
      Vec gxa = {};
      for (int64_t j = 0; j < d; j += kLanes) {
        const Vec dyv = load(gr + j);
        const Vec xh = (load(xr + j) - m) * s;
        const Vec g = dyv * load(w + j);
        ga += g;
        gxa += g * xh;
        store(dw + j, load(dw + j) + dyv * xh);
        store(db + j, load(db + j) + dyv);
      }
      g_mean = lane_sum(ga) * inv_d;
      gx_mean = lane_sum(gxa) * inv_d;
      for (int64_t j = 0; j < d; j += kLanes) {
        const Vec xh = (load(xr + j) - m) * s;
        const Vec g = load(gr + j) * load(w + j);
        store(dxr + j, s * (g - g_mean - xh * gx_mean));
      }
    } else {
      for (int64_t j = 0; j < d; ++j) {
        const float xh = (xr[j] - m) * s;
        const float g = gr[j] * w[j];
        g_mean += g;
        gx_mean += g * xh;
        dw[j] += gr[j] * xh;
        db[j] += gr[j];
      }
      g_mean *= inv_d;
      gx_mean *= inv_d;
      for (int64_t j = 0; j < d; ++j) {
        const float xh = (xr[j] - m) * s;
        dxr[j] = s * (gr[j] * w[j] - g_mean - xh * gx_mean);
      }
    }
  }
}

class LayerNormFunction : public torch::autograd::Function<LayerNormFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            const at::Tensor& weight, const at::Tensor& bias, double eps) {
    TORCH_CHECK(x.scalar_type() == at::kFloat && x.device().is_cpu() && x.dim() >= 1,
                "LayerNorm: expected a float CPU tensor");
    const int64_t d = x.size(-1);
    TORCH_CHECK(weight.numel() == d && bias.numel() == d, "LayerNorm: weight and bias must have ",
                d, " elements");
    const at::Tensor input = x.contiguous();
    const at::Tensor w = weight.contiguous();
    const at::Tensor b = bias.contiguous();
    const int64_t rows = input.numel() / d;
    at::Tensor y = at::empty_like(input);
    at::Tensor mean = at::empty({rows}, input.options());
    at::Tensor rstd = at::empty({rows}, input.options());
    layer_norm_forward(input.data_ptr<float>(), w.data_ptr<float>(), b.data_ptr<float>(),
                       y.data_ptr<float>(), mean.data_ptr<float>(), rstd.data_ptr<float>(), rows, d,
                       static_cast<float>(eps));
    ctx->save_for_backward({input, w, mean, rstd});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();  // returned by value: keep the copy
    const at::Tensor& x = saved[0];
    const at::Tensor& w = saved[1];
    const at::Tensor& mean = saved[2];
    const at::Tensor& rstd = saved[3];
    const at::Tensor dy = grads[0].contiguous();
    const int64_t d = x.size(-1);
    at::Tensor dx = at::empty_like(x);
    at::Tensor dw = at::empty({d}, x.options());
    at::Tensor db = at::empty({d}, x.options());
    layer_norm_backward(x.data_ptr<float>(), w.data_ptr<float>(), mean.data_ptr<float>(),
                        rstd.data_ptr<float>(), dy.data_ptr<float>(), dx.data_ptr<float>(),
                        dw.data_ptr<float>(), db.data_ptr<float>(), x.numel() / d, d);
    return {dx, dw, db, at::Tensor()};
  }
};

}  // namespace

at::Tensor LayerNorm::apply(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                            double eps) {
  if (!x.device().is_cpu())
    return at::layer_norm(x, {x.size(-1)}, weight, bias, eps);
  return LayerNormFunction::apply(x, weight, bias, eps);
}

}  // namespace evostream::model
