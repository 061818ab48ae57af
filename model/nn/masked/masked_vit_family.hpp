#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/nn/model_family.hpp"

namespace evostream::model {

/// The masked-vit family: a vision transformer whose weights are frozen and random, each task
/// computing with its own supermasks on them (SupSup and ImpressLearn on ViT-tiny's blocks).
///
/// Its path is a masked path (`MaskedLayer`) of 2 + 4 · depth layers, every linear layer of
/// the ViT in forward order: the patch projection [dim, channels · patch²]; per block the
/// query/key/value projection [3 · dim, dim], the attention's output projection [dim, dim], the
/// MLP's [mlp, dim] and [dim, mlp]; the head [classes, dim] (a task with k classes masks its
/// first k rows). There are no biases, and the layer norms are non-affine (nothing to learn,
/// nothing per task). The class token is zero and the position embedding is the fixed sine and
/// cosine table of the token positions, so nothing but the random layers' seeds describes the
/// backbone. Blocks are pre-LN with tanh-GELU as in the `vit` family; images are scaled to
/// [-1, 1]; the head reads the class token after a final norm. The frozen prefix is the
/// embedding and the leading blocks whose layers are all frozen (at most depth − 1 blocks).
class MaskedVitFamily : public ModelFamily {
 public:
  /// `heads`: attention heads; `patch`: patch side; `channels`: image channels.
  MaskedVitFamily(int64_t heads, int64_t patch, int64_t channels);

  std::string name() const override { return "masked-vit"; }
  std::unique_ptr<ModelFunction> bind(const std::vector<const Component*>& components,
                                      int64_t image_size = 0) const override;
  double forward_flops(const std::vector<const Component*>& components,
                       int64_t side) const override;
  /// The random layers of `architecture` (its ViT keys and `classes`), seeded from `seed`.
  std::vector<Component> root(const config::ArchitectureSpec& architecture, int64_t classes,
                              uint64_t seed) const override;

  /// The position embedding of `tokens` tokens of width `dim`: [1, tokens, dim], position p's
  /// entry 2i being sin(p / 10000^(2i/dim)) and 2i + 1 its cosine.
  static at::Tensor position_embedding(int64_t tokens, int64_t dim);

 private:
  int64_t heads_;
  int64_t patch_;
  int64_t channels_;
};

}  // namespace evostream::model
