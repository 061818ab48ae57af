#pragma once

#include <string>
#include <vector>

#include "model/component.hpp"
#include "streams/scenario.hpp"

namespace evostream::storage {

/// Components and the architecture they belong to, as read from a file.
struct ComponentSet {
  streams::ArchitectureSpec architecture;
  std::vector<model::Component> components;
};

/// Reads and writes components in an HDF5 file of a documented layout (see README):
///
/// ```
/// /                          attributes format = "evostream-components", version = 1
/// /architecture              attributes name, image_size, channels, patch, dim, depth, heads, mlp
/// /components/<n>            one group per component, in order (n = 0, 1, ...), attributes
///                            id, kind, index, owner, parent; one float32 dataset per tensor
///                            (ln1.weight, attn.qkv.weight, ...), in the tensor's shape
/// ```
///
/// `h5dump` and `h5py` read it as is. Writes go to a temporary file that is flushed and renamed,
/// so a crash leaves either the old file or the new one. Every problem on reading raises
/// `StorageError` naming the file, the object, what was expected and what was found.
class ComponentFile {
 public:
  /// Layout version written and accepted.
  static constexpr int64_t kVersion = 1;

  static void write(const std::string& path, const streams::ArchitectureSpec& architecture,
                    const std::vector<model::Component>& components);
  static ComponentSet read(const std::string& path);
};

}  // namespace evostream::storage
