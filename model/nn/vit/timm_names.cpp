#include "model/nn/vit/timm_names.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

namespace evostream::model {

namespace {

// evostream's tensor names inside a block or an adapter, and timm's.
const std::map<std::string, std::string>& block_names() {
  static const std::map<std::string, std::string> names = {
      {"ln1", "norm1"}, {"attn.qkv", "attn.qkv"}, {"attn.proj", "attn.proj"},
      {"ln2", "norm2"}, {"mlp.fc1", "mlp.fc1"},   {"mlp.fc2", "mlp.fc2"},
      {"ln", "ln"},     {"down", "down"},         {"up", "up"}};
  return names;
}

}  // namespace

std::string TimmNames::of(const Component& c, const std::string& tensor) {
  const auto bad = [&] {
    return std::invalid_argument(fmt::format("{}: no timm name for tensor \"{}\" of a {}", c.id(),
                                             tensor, kind_name(c.kind())));
  };
  const bool weight_or_bias = tensor == "weight" || tensor == "bias";
  switch (c.kind()) {
    case ComponentKind::kPatchEmbedding:
      if (!weight_or_bias)
        throw bad();
      return "patch_embed.proj." + tensor;
    case ComponentKind::kClassToken:
      if (tensor != "token")
        throw bad();
      return "cls_token";
    case ComponentKind::kPositionEmbedding:
      if (tensor != "embedding")
        throw bad();
      return "pos_embed";
    case ComponentKind::kFinalNorm:
      if (!weight_or_bias)
        throw bad();
      return "norm." + tensor;
    case ComponentKind::kHead:
      if (!weight_or_bias)
        throw bad();
      return "head." + tensor;
    case ComponentKind::kBlock:
    case ComponentKind::kAdapter: {
      const size_t dot = tensor.rfind('.');
      if (dot == std::string::npos)
        throw bad();
      const auto part = block_names().find(tensor.substr(0, dot));
      const std::string leaf = tensor.substr(dot + 1);
      const bool adapter = c.kind() == ComponentKind::kAdapter;
      const bool adapter_part =
          part != block_names().end() &&
          (part->first == "ln" || part->first == "down" || part->first == "up");
      if (part == block_names().end() || adapter != adapter_part ||
          (leaf != "weight" && leaf != "bias"))
        throw bad();
      return fmt::format("{}.{}.{}.{}", adapter ? "adapters" : "blocks", c.index(), part->second,
                         leaf);
    }
    default:
      throw bad();
  }
}

std::vector<std::pair<std::string, at::Tensor>> TimmNames::state_dict(
    const std::vector<const Component*>& components) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const Component* c : components) {
    for (size_t i = 0; i < c->names().size(); ++i)
      out.emplace_back(of(*c, c->names()[i]), c->tensors()[i]);
  }
  return out;
}

}  // namespace evostream::model
