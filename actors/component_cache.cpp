#include "actors/component_cache.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "actors/blob_codec.hpp"

namespace evostream::actors {

component_blob SentComponents::encode(const model::Component& c) {
  if (!c.frozen())
    return BlobCodec::encode(c);
  const auto at = hashes_.find(c.id());
  if (at != hashes_.end()) {
    component_blob ref;
    ref.id = c.id();
    ref.frozen = true;
    ref.reference = at->second;
    return ref;
  }
  hashes_.emplace(c.id(), c.content_hash());
  return BlobCodec::encode(c);
}

std::shared_ptr<const model::Component> ReceivedComponents::decode(const component_blob& blob) {
  if (!blob.reference.empty()) {
    const auto at = received_.find(blob.id);
    if (at == received_.end()) {
      throw std::invalid_argument(
          fmt::format("component {}: a reference to a component not received", blob.id));
    }
    if (at->second.hash != blob.reference) {
      throw std::invalid_argument(
          fmt::format("component {}: content hash {} referred to, {} received", blob.id,
                      blob.reference, at->second.hash));
    }
    return at->second.component;
  }
  auto c = std::make_shared<const model::Component>(BlobCodec::decode(blob));
  if (c->frozen())
    received_[c->id()] = {c->content_hash(), c};
  return c;
}

}  // namespace evostream::actors
