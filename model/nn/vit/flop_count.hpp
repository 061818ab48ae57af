#pragma once

#include <cstdint>

#include "model/nn/vit/vit_layout.hpp"

namespace evostream::model {

/// Multiply-add FLOPs (2 per multiply-add) of a ViT's forward pass, per image.
///
/// Counts the matrix products (patch embedding, attention projections, attention scores and
/// weighted sums, MLPs, adapters, head) of the standard computation over every token; element-wise
/// work is left out, as is usual. The class-token-only shortcut of the last block is not
/// credited, so the figure is comparable with any other implementation of the same model.
class FlopCount {
 public:
  /// Forward FLOPs of the whole path for images of side `image_size`.
  static double forward(const VitLayout& layout, int64_t image_size);
  /// Forward FLOPs of adapter k and block k for k in [from, to).
  static double blocks(const VitLayout& layout, int64_t image_size, int64_t from, int64_t to);
  /// Forward FLOPs of the embedding (patch projection).
  static double embedding(const VitLayout& layout, int64_t image_size);
  /// Forward FLOPs of one block's attention (projections, scores, weighted sums) over `tokens`
  /// tokens of width `dim`.
  static double attention(double tokens, double dim);
  /// Forward FLOPs of the head.
  static double head(const VitLayout& layout);
};

}  // namespace evostream::model
