#pragma once

#include <cstdint>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// One layer of a masked path: its random weights and the masks (and coefficients) on them.
///
/// A masked path is, for each layer l in order: the random layer l (`random_linear`), then
/// either one mask of layer l (SupSup: `W ⊙ M`) or K masks of layer l followed by coefficients
/// (ImpressLearn: `W ⊙ Σ_i α_i M_i`). The masked families (`masked-fc`, `masked-vit`) read
/// their paths through it.
struct MaskedLayer {
  const Component* random = nullptr;
  std::vector<const Component*> masks;
  /// ImpressLearn's coefficients, with more than one mask; else null.
  const Component* alpha = nullptr;

  /// Whether nothing of the layer trains.
  bool frozen() const;
  /// Rows [0] and columns [1] of the masked weights.
  std::vector<int64_t> shape() const;

  /// Sorts a path's components into layers and checks each layer on its own (masks of the
  /// random layer's shape, the last layer's possibly with fewer rows; coefficients for more
  /// than one mask); raises `std::invalid_argument` naming the first component out of place.
  static std::vector<MaskedLayer> of(const std::vector<const Component*>& components);
};

}  // namespace evostream::model
