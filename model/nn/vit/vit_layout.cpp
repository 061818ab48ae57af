#include "model/nn/vit/vit_layout.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace evostream::model {

namespace {

[[noreturn]] void misplaced(const Component& c, size_t position, const std::string& expected) {
  throw std::invalid_argument(
      fmt::format("path component {} ({} at position {}) is out of place: "
                  "expected {}",
                  c.id(), kind_name(c.kind()), position, expected));
}

}  // namespace

VitLayout VitLayout::of(const std::vector<const Component*>& components) {
  VitLayout l;
  size_t i = 0;
  const size_t n = components.size();
  auto expect = [&](ComponentKind kind, const Component*& slot) {
    if (i >= n)
      throw std::invalid_argument(fmt::format("path ends before its {}", kind_name(kind)));
    if (components[i]->kind() != kind)
      misplaced(*components[i], i, kind_name(kind));
    slot = components[i++];
  };
  expect(ComponentKind::kPatchEmbedding, l.patch_embedding);
  expect(ComponentKind::kClassToken, l.class_token);
  expect(ComponentKind::kPositionEmbedding, l.position_embedding);
  while (i < n && (components[i]->kind() == ComponentKind::kAdapter ||
                   components[i]->kind() == ComponentKind::kBlock)) {
    const auto k = static_cast<int64_t>(l.blocks.size());
    const Component* adapter = nullptr;
    if (components[i]->kind() == ComponentKind::kAdapter) {
      if (components[i]->index() != k)
        misplaced(*components[i], i, fmt::format("adapter {}", k));
      adapter = components[i++];
      if (i >= n)
        throw std::invalid_argument("path ends after an adapter");
    }
    if (components[i]->kind() != ComponentKind::kBlock || components[i]->index() != k) {
      misplaced(*components[i], i, fmt::format("block {}", k));
    }
    l.adapters.push_back(adapter);
    l.blocks.push_back(components[i++]);
  }
  if (l.blocks.empty())
    throw std::invalid_argument("path has no transformer block");
  expect(ComponentKind::kFinalNorm, l.final_norm);
  expect(ComponentKind::kHead, l.head);
  if (i != n)
    misplaced(*components[i], i, "the end of the path after the head");
  return l;
}

std::vector<const Component*> VitLayout::ordered() const {
  std::vector<const Component*> out = {patch_embedding, class_token, position_embedding};
  for (size_t k = 0; k < blocks.size(); ++k) {
    if (adapters[k] != nullptr)
      out.push_back(adapters[k]);
    out.push_back(blocks[k]);
  }
  out.push_back(final_norm);
  out.push_back(head);
  return out;
}

int64_t VitLayout::patch() const {
  return patch_embedding->tensor("weight").size(2);
}

int64_t VitLayout::dim() const {
  return patch_embedding->tensor("weight").size(0);
}

int64_t VitLayout::classes() const {
  return head->tensor("weight").size(0);
}

}  // namespace evostream::model
