#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/nn/model_function.hpp"

namespace evostream::model {

/// A kind of network: what a path's components compute together, and what that costs.
///
/// A family binds a path's components (in path order) to a forward function and counts its
/// FLOPs; the trainer, the evaluators and the results go through it and never through a
/// concrete architecture. `vit` (µ2Net's ViT and the shared-backbone strategies), `moe-vit`
/// (Mod-Squad's mixture-of-experts ViT with task routers), `masked-fc` (a fully connected net
/// of frozen random weights under per-task supermasks, for SupSup and ImpressLearn) and
/// `masked-vit` (the ViT's linear layers, frozen and random, under supermasks) are the
/// families; `[root.architecture] family` chooses one.
class ModelFamily {
 public:
  virtual ~ModelFamily() = default;
  /// The name scenarios use, e.g. "vit".
  virtual std::string name() const = 0;
  /// The forward pass of `components` (in path order; they must outlive the function) for
  /// images resized to `image_size` (0 keeps their size). Raises `std::invalid_argument`
  /// describing the first component out of place.
  virtual std::unique_ptr<ModelFunction> bind(const std::vector<const Component*>& components,
                                              int64_t image_size = 0) const = 0;
  /// A fresh, untrained root of `architecture` with `classes` outputs (a ViT's pretraining
  /// head; a masked family's head has `architecture.classes`), owned by `root`, drawn from `seed`.
  virtual std::vector<Component> root(const config::ArchitectureSpec& architecture, int64_t classes,
                                      uint64_t seed) const = 0;
  /// Forward FLOPs per image of side `side` of the whole path.
  virtual double forward_flops(const std::vector<const Component*>& components,
                               int64_t side) const = 0;
  /// The parameters that one token's forward pass multiplies with. Default: all of the path's
  /// (`Component::num_params`); a mixture of experts counts only the `top_k` experts a token
  /// uses in each of its blocks.
  virtual int64_t active_params(const std::vector<const Component*>& components) const;

  /// The family `architecture` names; raises `std::invalid_argument` for an unknown one.
  static std::shared_ptr<const ModelFamily> of(const config::ArchitectureSpec& architecture);
};

/// The ViT family with `heads` attention heads per block.
std::shared_ptr<const ModelFamily> vit_family(int64_t heads = 4);

}  // namespace evostream::model
