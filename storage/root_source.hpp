#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/train/trainer.hpp"
#include "streams/scenario.hpp"
#include "streams/task_data.hpp"

namespace evostream::storage {

/// Where a run's root model comes from: trained on the scenario's pretraining task, or imported
/// from a component file (`ComponentFile`), checked against the scenario's architecture.
class RootSource {
 public:
  /// Imports the root in `path`: its architecture must equal `expected` field by field, its
  /// components must be owned by `root` and have exactly the shapes of a `expected` root.
  /// Raises `StorageError` naming the file and the first difference.
  static std::vector<model::Component> import(const std::string& path,
                                              const streams::ArchitectureSpec& expected);
  /// Writes a root to `path` in the component-file layout.
  static void export_root(const std::string& path, const streams::ArchitectureSpec& architecture,
                          const std::vector<model::Component>& root);
};

}  // namespace evostream::storage
