#pragma once

#include <ATen/core/Tensor.h>

namespace evostream::model {

/// Element-wise activations as fused autograd operations.
class Activation {
 public:
  /// GELU with the tanh approximation, 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), as in the
  /// reference ViT. Forward and backward are single vectorised passes; ATen's version computes
  /// tanh through a slower general routine and took about an eighth of a training step.
  /// Tensors on other devices than the CPU go to ATen's `gelu`.
  static at::Tensor tanh_gelu(const at::Tensor& x);
};

}  // namespace evostream::model
