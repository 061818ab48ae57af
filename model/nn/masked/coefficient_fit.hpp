#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// ImpressLearn without task labels, as a hypothesis: coefficients over the impressions fitted
/// to an unlabelled batch by minimising its mean output entropy, then the batch predicted with
/// them (`reference/impress_modsquad_spec.md` §2.4: the paper says ImpressLearn works without
/// task identity but not how; this is its best guess, measured, not assumed).
class CoefficientFit {
 public:
  /// `path`: a path with coefficients (random layer, K masks, alpha per layer), whose masks are
  /// the impressions; raises `std::invalid_argument` for a path without coefficients.
  explicit CoefficientFit(const std::vector<const Component*>& path);

  /// The logits of `images` under coefficients fitted to them: from 1/K, `steps` Adam steps
  /// at `learning_rate` on the batch's mean output entropy.
  at::Tensor logits(const at::Tensor& images, int64_t steps, double learning_rate) const;

 private:
  /// Per layer: W ⊙ M_i stacked, [K, rows · cols], and the layer's shape.
  std::vector<at::Tensor> stacked_;
  std::vector<std::vector<int64_t>> shapes_;
};

}  // namespace evostream::model
