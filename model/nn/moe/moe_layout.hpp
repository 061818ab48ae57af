#pragma once

#include <cstdint>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// A moe-vit path's components sorted into the roles of its forward pass.
///
/// The expected order is: patch embedding, class token, position embedding, task embedding,
/// then for k = 0, 1, ...: either a dense block k, or a MoE block k followed by one or more
/// expert groups of index k (their experts numbered in path order) and the task's router of
/// index k, or an attention MoE block k followed by one or more attention expert groups of
/// index k and the task's router of index k; then the final norm and the head. Shapes are checked
/// against the patch embedding's width, so a file's claims are refused before anything runs.
///
/// A joint model (Mod-Squad trained on several tasks at once) has the same components for T
/// tasks: its task embedding holds T rows ([T, 1, dim]), each router T × experts rows (task t's
/// rows after the earlier tasks') and its head every task's classes one after another.
struct MoeVitLayout {
  /// One block: dense (`router` null) or with a mixture of experts: its MLP's, or its
  /// attention's (`attention()`).
  struct Block {
    const Component* block = nullptr;
    /// The MLP's or the attention's expert groups.
    std::vector<const Component*> experts;
    const Component* router = nullptr;
    bool moe() const { return router != nullptr; }
    /// True when the mixture is the attention's (an attention MoE block).
    bool attention() const;
    /// Experts of the block's groups together (0 for a dense block).
    int64_t expert_count() const;
  };

  const Component* patch_embedding = nullptr;
  const Component* class_token = nullptr;
  const Component* position_embedding = nullptr;
  const Component* task_embedding = nullptr;
  std::vector<Block> blocks;
  const Component* final_norm = nullptr;
  const Component* head = nullptr;

  /// Sorts `components` (in path order) into roles; raises `std::invalid_argument` describing
  /// the first component out of place or of the wrong shape.
  static MoeVitLayout of(const std::vector<const Component*>& components);

  /// The components in path order.
  std::vector<const Component*> ordered() const;
  /// Patch side, from the patch embedding's kernel.
  int64_t patch() const;
  /// Embedding width.
  int64_t dim() const;
  /// Tasks the path serves at once: 1, or a joint model's tasks.
  int64_t tasks() const;
  /// Number of classes of the head.
  int64_t classes() const;
  /// Experts each token uses in the router `router`.
  static int64_t top_k(const Component& router);
  /// The rows of `router` its block's experts are (int64, ascending) when it is an extracted
  /// model's router (`ExpertExtraction`), else null: such a router has a row per expert of the
  /// whole model.
  static const at::Tensor* kept(const Component& router);
};

}  // namespace evostream::model
