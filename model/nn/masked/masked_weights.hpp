#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/nn/masked/masked_layer.hpp"

namespace evostream::model {

/// The effective weights of a masked path's layers, as a forward pass computes with them.
///
/// A frozen layer's weights (W ⊙ M, or W ⊙ Σ α M) are combined once, when the path is bound.
/// A trained mask is straight-through: the forward pass uses the binary mask and its scores
/// receive the mask's gradient (edge-popup, through |scores| for top-k; directly for the
/// threshold variant). Trained coefficients combine the layer's masked weights, stacked once,
/// at every step: the masks a step uses are combined once per step, not per example.
class MaskedWeights {
 public:
  /// Binds `layers` (their components must outlive this) on the device of their tensors.
  explicit MaskedWeights(std::vector<MaskedLayer> layers);

  /// Number of layers, the head's included.
  int64_t size() const { return static_cast<int64_t>(layers_.size()); }
  /// Layer `l`.
  const MaskedLayer& layer(int64_t l) const { return layers_[static_cast<size_t>(l)]; }
  /// The effective weights of layer `l` at this step, [rows, cols].
  at::Tensor effective(int64_t l) const;
  /// The ids of the components of layers [0, `to`), each after a '|': what a frozen prefix of
  /// those layers depends on.
  std::string key(int64_t to) const;
  /// The device of the tensors.
  c10::Device device() const;

 private:
  struct Bound {
    /// The effective weights when the layer is frozen (combined once).
    at::Tensor fixed;
    /// The random weights (narrowed to the mask's rows), for a trained single mask.
    at::Tensor weights;
    /// W ⊙ M_i stacked as [K, rows · cols], for trained coefficients.
    at::Tensor stacked;
  };

  std::vector<MaskedLayer> layers_;
  std::vector<Bound> bound_;
};

}  // namespace evostream::model
