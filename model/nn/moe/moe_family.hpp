#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/nn/model_family.hpp"
#include "model/nn/moe/expert_routing.hpp"
#include "model/nn/moe/moe_layout.hpp"
#include "model/nn/vit/vit_function.hpp"

namespace evostream::model {

/// The moe-vit family: Mod-Squad's vision transformer, whose MoE blocks' MLPs are mixtures of
/// experts routed by a router of the task (`MoeVitLayout`, `ExpertMixture`, `MoeFactory`).
///
/// The forward pass is the ViT's (`VitFunction`) with the task's embedding added to the tokens
/// before every block; a MoE block computes `y = x + attn(LN1(x))`, then `y + moe(LN2(y))`; an
/// attention MoE block `y = x + attention_moe(LN1(x))` (`AttentionMixture`), then
/// `y + mlp(LN2(y))`. As in the ViT, the last block computes only the class token, the only one
/// the head reads, so its mixture routes only that token. The frozen prefix is the embedding when
/// it is frozen (the task embedding, added before block 0, trains with every task). FLOPs are the
/// active ones: each token's router and its top k experts. A joint model (`MoeVitLayout`) serves
/// its tasks only through `task_features_after_prefix`; its other passes are refused.
class MoeVitFamily : public ModelFamily {
 public:
  /// `heads`: attention heads of every block.
  explicit MoeVitFamily(int64_t heads) : heads_(heads) {}

  std::string name() const override { return "moe-vit"; }
  std::unique_ptr<ModelFunction> bind(const std::vector<const Component*>& components,
                                      int64_t image_size = 0) const override;
  double forward_flops(const std::vector<const Component*>& components,
                       int64_t side) const override;
  int64_t active_params(const std::vector<const Component*>& components) const override;
  std::vector<Component> root(const config::ArchitectureSpec& architecture, int64_t classes,
                              uint64_t seed) const override;

 private:
  int64_t heads_;
};

/// A moe-vit path's forward pass; it records what each pass routed (`routing`).
class MoeVitModelFunction : public ModelFunction {
 public:
  MoeVitModelFunction(const MoeVitLayout& layout, int64_t heads, int64_t image_size);

  bool has_frozen_prefix() const override { return frozen_embedding_; }
  at::Tensor prefix(const at::Tensor& images) const override { return vit_.embed(images); }
  at::Tensor features_after_prefix(const at::Tensor& x) const override;
  at::Tensor features(const at::Tensor& images) const override;
  at::Tensor head(const at::Tensor& features) const override { return vit_.head(features); }
  int64_t classes() const override { return layout_.classes(); }
  std::string head_id() const override { return layout_.head->id(); }
  c10::Device device() const override;
  std::string prefix_key(int64_t side) const override;
  int64_t prefix_bytes(int64_t side, int64_t images) const override;
  double prefix_flops(int64_t side) const override;
  double rest_flops(int64_t side) const override;
  const Routing* routing() const override { return &routing_; }
  int64_t tasks() const override { return layout_.tasks(); }
  at::Tensor task_features_after_prefix(const at::Tensor& x,
                                        const at::Tensor& tasks) const override;

  /// The blocks on embedded tokens: the class token after the last block, [N, 1, dim].
  /// `tasks` ([N] int64), for a joint model, holds each example's task: its task embedding and
  /// its router's rows serve it.
  at::Tensor run_blocks(at::Tensor tokens, const at::Tensor& tasks = {}) const;
  const MoeVitLayout& layout() const { return layout_; }

  /// Active forward FLOPs per image of side `side` of the blocks, embedding and head excluded.
  static double block_flops(const MoeVitLayout& layout, int64_t side);

 private:
  MoeVitLayout layout_;
  VitFunction vit_;  // the embedding, the final norm and the head
  int64_t heads_;
  bool frozen_embedding_;
  mutable Routing routing_;

  // Keeps what one mixture of `tokens` tokens routed (with its tasks' sums when `joint`).
  void record(const MixtureOutput& mixed, int64_t tokens, bool joint) const;
};

}  // namespace evostream::model
