#pragma once

#include <ATen/core/Tensor.h>

namespace evostream::model {

/// Layer normalisation over the last dimension as one fused autograd operation.
class LayerNorm {
 public:
  /// (x − mean) / √(var + eps) · weight + bias over the last dimension of `x`, differentiable
  /// with respect to all three. Rows of a width that is a multiple of 16 run on explicit
  /// 16-float vectors (forward and backward each one pass per row); other widths use plain loops.
  /// Tensors on other devices than the CPU go to ATen's `layer_norm`.
  static at::Tensor apply(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                          double eps);
};

}  // namespace evostream::model
