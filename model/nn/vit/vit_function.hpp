#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

#include "model/nn/vit/vit_layout.hpp"

namespace evostream::model {

/// The forward pass of a path, as plain functions of its components' tensors.
///
/// Images arrive as floats in [0, 1], N × C × H × W; they are scaled to [-1, 1] (as in the
/// reference) and resized to `image_size` when that is set. The position embedding is
/// interpolated when the patch grid differs from the one it was trained for. Blocks are pre-LN:
/// `x + attn(LN(x))`, then `x + mlp(LN(x))` with tanh-GELU; an adapter k runs before block k as
/// `x + up(gelu(down(LN(x))))`.
///
/// The head reads only the class token, so the last block computes its query, attention, MLP
/// and residual for that token alone (keys and values still use every token): the logits are
/// exactly those of the full computation at a fraction of the cost.
class VitFunction {
 public:
  /// `heads`: attention heads of the blocks; `image_size`: input side, 0 keeps the images' own.
  VitFunction(const VitLayout& layout, int64_t heads, int64_t image_size = 0);

  /// Patch embedding + class token + position embedding: [N, 1 + grid², dim].
  at::Tensor embed(const at::Tensor& images) const;
  /// Runs adapter k and block k for k in [from, to). When `to` is the depth and
  /// `class_token_only` is set, the last block returns only the class token ([N, 1, dim]).
  at::Tensor run_blocks(at::Tensor tokens, int64_t from, int64_t to, bool class_token_only) const;
  /// Final norm and head on the class token: logits [N, classes] (`head` of `features`).
  at::Tensor classify(const at::Tensor& tokens) const;
  /// The class token after the final norm: what every head reads, [N, dim].
  at::Tensor features(const at::Tensor& tokens) const;
  /// The layout's head on `features`: logits [N, classes].
  at::Tensor head(const at::Tensor& features) const;
  /// The head `head` (a head component) on `features`: logits [N, its classes].
  static at::Tensor head(const Component& head, const at::Tensor& features);
  /// The whole forward pass: logits [N, classes].
  at::Tensor forward(const at::Tensor& images) const;

  /// Number of blocks.
  int64_t depth() const { return static_cast<int64_t>(layout_.blocks.size()); }
  const VitLayout& layout() const { return layout_; }

  /// One pre-LN block; with `class_token_only`, only the class token's output ([N, 1, dim]).
  static at::Tensor block(const Component& b, const at::Tensor& x, int64_t heads,
                          bool class_token_only);
  /// The attention half of a block: `x + attn(LN1(x))` (with `class_token_only`, only the class
  /// token's, [N, 1, dim]); `b` holds ln1 and attn tensors.
  static at::Tensor attend(const Component& b, const at::Tensor& x, int64_t heads,
                           bool class_token_only);
  /// The MLP half of a block without its residual: `mlp(LN2(y))`; `b` holds ln2 and mlp
  /// tensors.
  static at::Tensor mlp(const Component& b, const at::Tensor& y);
  /// The layer norm of `c` whose tensors are `PREFIX.weight` and `PREFIX.bias`, on `x`.
  static at::Tensor norm(const Component& c, const std::string& prefix, const at::Tensor& x);
  /// One residual adapter.
  static at::Tensor adapter(const Component& a, const at::Tensor& x);

 private:
  VitLayout layout_;
  int64_t heads_;
  int64_t image_size_;
};

}  // namespace evostream::model
