#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace evostream::model {

/// Multi-head softmax attention as one fused autograd operation on the CPU.
///
/// LibTorch computes attention with batched matrix products; at ViT-tiny's sizes (per image and
/// head, 50 × 16 by 16 × 50) each batch entry becomes its own BLAS call, and those calls took over
/// 90% of a training step. Here forward and backward run one (image, head) pair at a time in
/// L1-sized scratch — scores, softmax, value products and their gradients — with explicit vector
/// accumulators, reading q, k and v straight from the projection's output (no permuted copies)
/// and writing the result in the layout the output projection reads. Only the probabilities are
/// kept for backward.
class Attention {
 public:
  /// Self-attention over a packed projection `qkv`: [N, T, 3D] holding q, k and v side by side
  /// (D = heads × head_dim; the last dimension contiguous). Returns softmax(q kᵀ / √head_dim) v
  /// per head as [N, T, D], differentiable with respect to `qkv` (its gradient is written in one
  /// piece, with no slicing in autograd).
  static at::Tensor packed(const at::Tensor& qkv, int64_t heads);
  /// Attention of separate queries `q`: [N, Tq, D] over keys and values packed in `kv`:
  /// [N, T, 2D] (the class-token-only form, Tq = 1). Differentiable with respect to both.
  static at::Tensor split(const at::Tensor& q, const at::Tensor& kv, int64_t heads);
  /// The same attention from ATen's generic operations (batched products, softmax), for any
  /// device: what `packed` and `split` run on tensors that are not on the CPU.
  static at::Tensor reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                              int64_t heads);
};

}  // namespace evostream::model
