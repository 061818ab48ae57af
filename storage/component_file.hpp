#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "streams/scenario.hpp"

namespace evostream::storage {

/// Components and the architecture they belong to, as read from a file.
struct ComponentSet {
  streams::ArchitectureSpec architecture;
  std::vector<model::Component> components;
  /// The text datasets at the root of the file (`FileExtras::texts`).
  std::map<std::string, std::string> texts;
};

/// What a file built on the component layout adds: its own format name and text datasets.
struct FileExtras {
  /// The `format` attribute. Default: "evostream-components".
  std::string format = "evostream-components";
  /// Text datasets written at the root of the file, by name. Default: none.
  std::map<std::string, std::string> texts;
  /// Crash tests: kill the process (SIGKILL) after the components are written, before the
  /// file is flushed and renamed. Default: false.
  bool kill_before_flush = false;
};

/// Reads and writes components in an HDF5 file of a documented layout (`docs/formats.md`):
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

  /// Writes `components` of `architecture` to `path` (through `path.tmp` and a rename).
  /// Raises `StorageError` naming the file when it cannot be written.
  static void write(const std::string& path, const streams::ArchitectureSpec& architecture,
                    const std::vector<model::Component>& components, const FileExtras& extras = {});
  /// Reads a file whose `format` attribute is `format`, checking every component against its
  /// stored content hash.
  static ComponentSet read(const std::string& path,
                           const std::string& format = "evostream-components");
};

}  // namespace evostream::storage
