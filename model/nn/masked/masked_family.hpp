#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/nn/masked/masked_layer.hpp"
#include "model/nn/model_family.hpp"

namespace evostream::model {

/// The masked-fc family: a fully connected ReLU net whose weights are frozen and random, each
/// task computing with its own supermasks on them (SupSup, ImpressLearn).
///
/// A path is, for each layer l in order: the random layer l, then either one mask of layer l
/// (SupSup: `W ⊙ M`) or K masks of layer l followed by coefficients (ImpressLearn:
/// `W ⊙ Σ_i α_i M_i`), `MaskedFactory` describes the components. Images are flattened and
/// scaled to [-1, 1]; the last layer is the head, and the features are the last hidden
/// layer's output. A trained mask is straight-through: its forward pass uses the binary mask
/// and its scores receive the mask's gradient (edge-popup); the masks a step uses are combined
/// once per step, not per example. Frozen layers are combined once, when the path is bound.
/// The frozen prefix is the leading hidden layers whose masks and coefficients are all frozen.
class MaskedFamily : public ModelFamily {
 public:
  std::string name() const override { return "masked-fc"; }
  std::unique_ptr<ModelFunction> bind(const std::vector<const Component*>& components,
                                      int64_t image_size = 0) const override;
  double forward_flops(const std::vector<const Component*>& components,
                       int64_t side) const override;
  std::vector<Component> root(const config::ArchitectureSpec& architecture, int64_t classes,
                              uint64_t seed) const override;

  /// The effective weights of each layer of a frozen path (W ⊙ M, or W ⊙ Σ α M), [rows, cols].
  static std::vector<at::Tensor> layer_weights(const std::vector<const Component*>& components);
  /// What the first layer reads: the images flattened and scaled to [-1, 1].
  static at::Tensor input(const at::Tensor& images);
};

}  // namespace evostream::model
