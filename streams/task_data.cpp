#include "streams/task_data.hpp"

#include "common/content_hash.hpp"

namespace evostream::streams {

using common::ContentHash;

namespace {

void hash_set(ContentHash& h, const ImageSet& s) {
  h.update(static_cast<uint64_t>(s.channels()))
      .update(static_cast<uint64_t>(s.height()))
      .update(static_cast<uint64_t>(s.width()));
  h.update(s.pixels().data(), s.pixels().size());
  h.update(s.labels());
}

}  // namespace

std::string TaskData::content_hash() const {
  ContentHash h;
  h.update(spec.name).update(static_cast<uint64_t>(num_classes));
  hash_set(h, train);
  hash_set(h, validation);
  hash_set(h, test);
  return h.hex();
}

}  // namespace evostream::streams
