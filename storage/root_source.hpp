#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/train/trainer.hpp"
#include "streams/task_data.hpp"

namespace evostream::storage {

/// Where a run's root model comes from: trained on the scenario's pretraining task, or imported
/// from a component file (`ComponentFile`) or a PyTorch state dict, checked against the
/// scenario's architecture.
class RootSource {
 public:
  /// Imports the root in `path`: its architecture must equal `expected` field by field, its
  /// components must be owned by `root` and have exactly the shapes of a `expected` root.
  /// Raises `StorageError` naming the file and the first difference.
  static std::vector<model::Component> import(const std::string& path,
                                              const config::ArchitectureSpec& expected);
  /// Imports a ViT root from a PyTorch state dict in timm's names (`TorchStateDict`,
  /// `model::TimmNames`): every tensor a `expected` root has must be there with its shape,
  /// and nothing else; the head's rows give the root's classes. Raises `StorageError` naming
  /// the file and the tensor, with the shape expected and found.
  static std::vector<model::Component> import_torch(const std::string& path,
                                                    const config::ArchitectureSpec& expected);
  /// Imports the root in `path` by its content: a PyTorch zip archive (`import_torch`) or a
  /// component file (`import`).
  static std::vector<model::Component> import_any(const std::string& path,
                                                  const config::ArchitectureSpec& expected);
  /// Writes a root to `path` in the component-file layout.
  static void export_root(const std::string& path, const config::ArchitectureSpec& architecture,
                          const std::vector<model::Component>& root);
};

}  // namespace evostream::storage
