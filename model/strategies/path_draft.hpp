#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/core/path.hpp"
#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// A path being put together for one task visit: named `TASK@ITERATION`, its components in
/// forward order, new ones named after the task (`derived_id`) and owned by it.
///
/// What the baselines and most simple strategies build before `Strategy::train_once`.
class PathDraft {
 public:
  explicit PathDraft(const TaskContext& ctx);

  /// Appends `c` as it is (a frozen component of the store, read only).
  void add(std::shared_ptr<const Component> c);
  /// Appends a trainable clone of `c` owned by the task (its tensors and momentum copied).
  void add_clone(const Component& c);
  /// Appends a fresh head of `dim` inputs for the task's classes: zero-initialised, or drawn
  /// from `uniform_seed` (see `VitFactory::head`).
  void add_head(int64_t dim, std::optional<uint64_t> uniform_seed = std::nullopt);

  const std::string& task() const { return path_.task; }
  /// The visit's suffix of new ids, e.g. "@0".
  const std::string& suffix() const { return suffix_; }
  Path& path() { return path_; }
  std::vector<std::shared_ptr<const Component>>& components() { return components_; }

 private:
  int64_t classes_;
  std::string suffix_;
  Path path_;
  std::vector<std::shared_ptr<const Component>> components_;
};

}  // namespace evostream::model
