#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace evostream::model {

/// Multi-head softmax attention as one autograd operation with hand-written small products.
///
/// LibTorch computes attention with batched matrix products; at ViT-tiny's sizes (per image and
/// head, 50 × 16 by 16 × 50) each batch entry becomes its own BLAS call, and those calls took over
/// 90% of a training step. Here the products run as vectorised loops over all (image, head)
/// pairs at once, reading q, k and v straight from the qkv projection's output (no permuted
/// copies) and writing the result in the layout the output projection reads. The softmax and its
/// backward are ATen's.
class Attention {
 public:
  /// `q`: [N, Tq, D]; `k`, `v`: [N, T, D] (views are fine when the last dimension is
  /// contiguous); D = heads × head_dim. Returns softmax(q kᵀ / √head_dim) v per head as
  /// [N, Tq, D], differentiable with respect to q, k and v.
  static at::Tensor apply(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          int64_t heads);
};

}  // namespace evostream::model
