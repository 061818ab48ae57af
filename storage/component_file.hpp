#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"

namespace evostream::storage {

/// Components and the architecture they belong to, as read from a file.
struct ComponentSet {
  config::ArchitectureSpec architecture;
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
  /// Crash tests: kill the process (SIGKILL) when half of the file is written to its temporary
  /// name, before it is synced and renamed. Default: false.
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
///
/// The file's first 512 bytes are an HDF5 user block (which HDF5 and its tools skip) holding a
/// check of the rest: `evostream-checked`, the size and a content hash of the bytes after it.
/// The reader verifies it before HDF5 parses anything, so a corrupt file evostream wrote is
/// refused by name instead of reaching HDF5's parser, which a malformed file can crash (found by
/// fuzzing HDF5 1.10.8).
class ComponentFile {
 public:
  /// Layout version written and accepted.
  static constexpr int64_t kVersion = 1;

  /// Writes `components` of `architecture` to `path` (through `path.tmp` and a rename).
  /// Raises `StorageError` naming the file when it cannot be written.
  static void write(const std::string& path, const config::ArchitectureSpec& architecture,
                    const std::vector<model::Component>& components, const FileExtras& extras = {});
  /// Reads a file whose `format` attribute is `format`, checking every component against its
  /// stored content hash. A file with the check block is verified whole first; one without it
  /// (written by another tool, say) is refused when `require_check`, else read as it is.
  static ComponentSet read(const std::string& path,
                           const std::string& format = "evostream-components",
                           bool require_check = false);
};

}  // namespace evostream::storage
