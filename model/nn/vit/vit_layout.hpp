#pragma once

#include <string>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// A path's components sorted into the roles of a ViT forward pass.
///
/// The expected order is: patch embedding, class token, position embedding, then for k = 0, 1,
/// ...: an optional adapter k followed by block k, then the final norm and the head.
struct VitLayout {
  const Component* patch_embedding = nullptr;
  const Component* class_token = nullptr;
  const Component* position_embedding = nullptr;
  /// adapters[k] is the adapter before block k, or nullptr.
  std::vector<const Component*> adapters;
  std::vector<const Component*> blocks;
  const Component* final_norm = nullptr;
  const Component* head = nullptr;

  /// Sorts `components` (in path order) into roles; raises `std::invalid_argument` describing
  /// the first component out of place.
  static VitLayout of(const std::vector<const Component*>& components);

  /// The components in path order.
  std::vector<const Component*> ordered() const;
  /// Patch side, from the patch embedding's kernel.
  int64_t patch() const;
  /// Embedding width.
  int64_t dim() const;
  /// Number of classes of the head.
  int64_t classes() const;
};

}  // namespace evostream::model
