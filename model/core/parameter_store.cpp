#include "model/core/parameter_store.hpp"

#include <fmt/format.h>

#include <set>

#include "common/content_hash.hpp"
#include "model/core/store_error.hpp"

namespace evostream::model {

int64_t ParameterStore::commit(const std::string& task, std::vector<Component> components) {
  std::set<std::string> ids;
  for (const auto& c : components) {
    if (auto it = components_.find(c.id()); it != components_.end()) {
      throw StoreError(fmt::format("cannot write component {}: it is frozen (owner {})", c.id(),
                                   it->second->owner()));
    }
    if (c.owner() != task) {
      throw StoreError(fmt::format("task {} cannot commit component {}: it is owned by {}", task,
                                   c.id(), c.owner()));
    }
    if (!ids.insert(c.id()).second) {
      throw StoreError(fmt::format("task {} commits component {} twice", task, c.id()));
    }
  }
  for (auto& c : components) {
    c.freeze();
    const std::string id = c.id();  // read before the move below
    hashes_[id] = c.content_hash();
    components_[id] = std::make_shared<const Component>(std::move(c));
  }
  return ++version_;
}

ParameterStore::Handle ParameterStore::get(const std::string& id) const {
  auto it = components_.find(id);
  if (it == components_.end())
    throw StoreError(fmt::format("unknown component {}", id));
  return it->second;
}

std::vector<ParameterStore::Handle> ParameterStore::resolve(
    const std::vector<std::string>& ids) const {
  std::vector<Handle> out;
  out.reserve(ids.size());
  for (const auto& id : ids)
    out.push_back(get(id));
  return out;
}

ParameterStore ParameterStore::subset(const std::set<std::string>& owners) const {
  ParameterStore out;
  for (const auto& [id, c] : components_) {
    if (owners.count(c->owner())) {
      out.components_.emplace(id, c);
      out.hashes_.emplace(id, hashes_.at(id));
    }
  }
  out.version_ = static_cast<int64_t>(owners.size());
  return out;
}

std::vector<ParameterStore::Handle> ParameterStore::components() const {
  std::vector<Handle> out;
  out.reserve(components_.size());
  for (const auto& [id, c] : components_)
    out.push_back(c);
  return out;
}

int64_t ParameterStore::num_params() const {
  int64_t n = 0;
  for (const auto& [id, c] : components_)
    n += c->num_params();
  return n;
}

std::string ParameterStore::content_hash() const {
  common::ContentHash h;
  for (const auto& [id, hash] : hashes_)
    h.update(id).update(hash);
  return h.hex();
}

int64_t ParameterStore::verify_next(int64_t count) const {
  int64_t checked = 0;
  while (checked < count && checked < static_cast<int64_t>(components_.size())) {
    auto it = components_.upper_bound(audit_cursor_);
    if (it == components_.end())
      it = components_.begin();
    const std::string now = it->second->content_hash();
    if (now != hashes_.at(it->first)) {
      throw StoreError(
          fmt::format("frozen component {} (owner {}) changed: hash {} at commit, {} "
                      "now",
                      it->first, it->second->owner(), hashes_.at(it->first), now));
    }
    audit_cursor_ = it->first;
    ++checked;
  }
  return checked;
}

void ParameterStore::verify() const {
  for (const auto& [id, c] : components_) {
    const std::string now = c->content_hash();
    if (now != hashes_.at(id)) {
      throw StoreError(
          fmt::format("frozen component {} (owner {}) changed: hash {} at commit, {} "
                      "now",
                      id, c->owner(), hashes_.at(id), now));
    }
  }
}

}  // namespace evostream::model
