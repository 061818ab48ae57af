#pragma once

#include <map>
#include <memory>
#include <string>

#include "actors/messages.hpp"
#include "model/core/component.hpp"

namespace evostream::actors {

/// What the trainer pool has sent one remote trainer: its frozen components by id with their
/// content hashes, so that later jobs refer to them instead of sending their tensors again.
///
/// A frozen component never changes, so its id and content hash name its bytes for good; a
/// trainable one is always sent whole.
class SentComponents {
 public:
  /// The blob of `c` for this trainer: the whole component the first time a frozen one is
  /// sent, a reference (id and content hash, no tensors) after that.
  component_blob encode(const model::Component& c);
  /// Frozen components sent so far.
  size_t size() const { return hashes_.size(); }

 private:
  std::map<std::string, std::string> hashes_;  // id → content hash
};

/// The frozen components a remote trainer has received, by id: what references resolve to.
/// It holds every frozen component of the jobs it saw, at most the run's store.
class ReceivedComponents {
 public:
  /// The component of `blob`: decoded (and kept when frozen), or the one a reference names.
  /// Raises `std::invalid_argument` for a reference to a component not received, or whose
  /// content hash is not the one received.
  std::shared_ptr<const model::Component> decode(const component_blob& blob);
  /// Frozen components received so far.
  size_t size() const { return received_.size(); }

 private:
  struct Entry {
    std::string hash;
    std::shared_ptr<const model::Component> component;
  };
  std::map<std::string, Entry> received_;
};

}  // namespace evostream::actors
