#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// The pool of committed components: id → immutable component.
///
/// Everything in the store is frozen. `commit` adds a task's new components and freezes them;
/// committing an id that exists is a write to a frozen component and is refused with an error
/// naming the component and its owner. Readers get `shared_ptr<const Component>` handles, never
/// copies to mutate. `verify` re-hashes every component against the hash taken at commit time.
class ParameterStore {
 public:
  using Handle = std::shared_ptr<const Component>;

  /// Adds `components`, all owned by `task`, and freezes them. Returns the new store version.
  /// Nothing is added if any component is refused.
  int64_t commit(const std::string& task, std::vector<Component> components);

  /// The component `id`; raises `StoreError` for an unknown id.
  Handle get(const std::string& id) const;
  bool contains(const std::string& id) const { return components_.count(id) != 0; }
  /// The components of `ids`, in order.
  std::vector<Handle> resolve(const std::vector<std::string>& ids) const;
  /// Every component, ordered by id.
  std::vector<Handle> components() const;

  /// The store as it was when only the components of `owners` had been committed: a store
  /// sharing their handles (and hashes).
  ParameterStore subset(const std::set<std::string>& owners) const;

  /// Number of components.
  size_t size() const noexcept { return components_.size(); }
  /// Total parameters over all components.
  int64_t num_params() const;
  /// Incremented by every commit.
  int64_t version() const noexcept { return version_; }

  /// A hash over every component's id and content hash (16 hex digits).
  std::string content_hash() const;
  /// Re-hashes every component; raises `StoreError` naming the first one that changed.
  /// Re-hashes the next `count` components of a rotation through the store (in id order,
  /// continuing where the previous call stopped), so that repeated calls audit every component
  /// at a bounded cost per call; raises `StoreError` like `verify`. Returns how many it checked.
  int64_t verify_next(int64_t count) const;
  void verify() const;

 private:
  std::map<std::string, Handle> components_;
  std::map<std::string, std::string> hashes_;
  int64_t version_ = 0;
  // The id `verify_next` checked last (an audit position, not part of the store's state).
  mutable std::string audit_cursor_;
};

}  // namespace evostream::model
