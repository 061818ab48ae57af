#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/nn/model_family.hpp"
#include "model/nn/vit/vit_function.hpp"

namespace evostream::model {

/// The ViT family: patch embedding, class token, position embedding, pre-LN blocks with
/// optional adapters, final norm and head (`VitLayout`, `VitFunction`, `FlopCount`).
///
/// Its frozen prefix is the embedding and the leading blocks whose block and adapter are both
/// frozen; its output is the tokens after them (only the class token after the last block).
class VitFamily : public ModelFamily {
 public:
  /// `heads`: attention heads of every block.
  explicit VitFamily(int64_t heads) : heads_(heads) {}

  std::string name() const override { return "vit"; }
  std::unique_ptr<ModelFunction> bind(const std::vector<const Component*>& components,
                                      int64_t image_size = 0) const override;
  double forward_flops(const std::vector<const Component*>& components,
                       int64_t side) const override;
  std::vector<Component> root(const config::ArchitectureSpec& architecture, int64_t classes,
                              uint64_t seed) const override;

  /// Attention heads of the blocks.
  int64_t heads() const { return heads_; }

 private:
  int64_t heads_;
};

/// A ViT path's forward pass as a `ModelFunction`.
class VitModelFunction : public ModelFunction {
 public:
  VitModelFunction(const VitLayout& layout, int64_t heads, int64_t image_size);

  bool has_frozen_prefix() const override { return prefix_ >= 0; }
  at::Tensor prefix(const at::Tensor& images) const override;
  at::Tensor features_after_prefix(const at::Tensor& x) const override;
  at::Tensor features(const at::Tensor& images) const override;
  at::Tensor head(const at::Tensor& features) const override { return f_.head(features); }
  int64_t classes() const override { return f_.layout().classes(); }
  std::string head_id() const override { return f_.layout().head->id(); }
  c10::Device device() const override;
  std::string prefix_key(int64_t side) const override;
  int64_t prefix_bytes(int64_t side, int64_t images) const override;
  double prefix_flops(int64_t side) const override;
  double rest_flops(int64_t side) const override;

  /// The blocks of the frozen prefix; -1 when the embedding trains.
  int64_t prefix_blocks() const { return prefix_; }
  const VitFunction& vit() const { return f_; }

 private:
  VitFunction f_;
  int64_t prefix_;
};

}  // namespace evostream::model
