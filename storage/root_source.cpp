#include "storage/root_source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>

#include "model/nn/model_family.hpp"
#include "model/nn/vit/timm_names.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "storage/component_file.hpp"
#include "storage/storage_error.hpp"
#include "storage/torch_state_dict.hpp"

namespace evostream::storage {

namespace {

std::string shape_of(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i)
    s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

void expect_field(const std::string& path, const char* field, int64_t expected, int64_t found) {
  if (expected != found) {
    throw StorageError(path,
                       fmt::format("/architecture: {} is {} but the scenario's root.architecture "
                                   "has {}",
                                   field, found, expected));
  }
}

// The classes a root's head weight gives, checked before a reference root of that size is
// made: [classes, dim] with 2 to 65,536 classes.
int64_t head_classes(const std::string& path, const at::Tensor& weight, const std::string& what,
                     const config::ArchitectureSpec& expected) {
  if (!weight.defined() || weight.dim() != 2 || weight.size(1) != expected.dim ||
      weight.size(0) < 2 || weight.size(0) > 65536) {
    throw StorageError(
        path, fmt::format("{}: expected a [classes, {}] weight with 2 to 65536 "
                          "classes, found shape {}",
                          what, expected.dim, weight.defined() ? shape_of(weight) : "none"));
  }
  return weight.size(0);
}

}  // namespace

std::vector<model::Component> RootSource::import(const std::string& path,
                                                 const config::ArchitectureSpec& expected) {
  if (expected.family != "vit" && expected.family != "moe-vit") {
    throw StorageError(path, fmt::format("expected root.architecture.family \"vit\" or "
                                         "\"moe-vit\" to import a root, found \"{}\"",
                                         expected.family));
  }
  ComponentSet set = ComponentFile::read(path);
  const auto& a = set.architecture;
  if (a.family != expected.family) {
    throw StorageError(path, fmt::format("/architecture: family is {} but the scenario's "
                                         "root.architecture has {}",
                                         a.family, expected.family));
  }
  if (a.family == "moe-vit") {
    expect_field(path, "experts", expected.experts, a.experts);
    expect_field(path, "top_k", expected.top_k, a.top_k);
    expect_field(path, "moe_every", expected.moe_every, a.moe_every);
    expect_field(path, "attention_experts", expected.attention_experts, a.attention_experts);
  }
  expect_field(path, "image_size", expected.image_size, a.image_size);
  expect_field(path, "channels", expected.channels, a.channels);
  expect_field(path, "patch", expected.patch, a.patch);
  expect_field(path, "dim", expected.dim, a.dim);
  expect_field(path, "depth", expected.depth, a.depth);
  expect_field(path, "heads", expected.heads, a.heads);
  expect_field(path, "mlp", expected.mlp, a.mlp);
  if (set.components.empty() || set.components.back().kind() != model::ComponentKind::kHead) {
    throw StorageError(path, "/components: expected a root ending with its head");
  }
  const auto& head = set.components.back();
  const int64_t classes =
      head_classes(path, head.tensors().empty() ? at::Tensor() : head.tensors().front(),
                   "/components: the head's weight", expected);
  const std::vector<model::Component> reference =
      model::ModelFamily::of(expected)->root(expected, classes, 0);
  if (set.components.size() != reference.size()) {
    throw StorageError(path,
                       fmt::format("/components: expected {} components for this architecture, "
                                   "found {}",
                                   reference.size(), set.components.size()));
  }
  for (size_t i = 0; i < reference.size(); ++i) {
    const model::Component& c = set.components[i];
    const model::Component& r = reference[i];
    const std::string where = fmt::format("/components/{} ({})", i, c.id());
    if (c.owner() != "root") {
      throw StorageError(path, fmt::format("{}: expected owner root, found {}", where, c.owner()));
    }
    if (c.kind() != r.kind() || c.index() != r.index()) {
      throw StorageError(
          path, fmt::format("{}: expected {} {}, found {} {}", where, model::kind_name(r.kind()),
                            r.index(), model::kind_name(c.kind()), c.index()));
    }
    if (c.names() != r.names()) {
      throw StorageError(path, fmt::format("{}: expected the tensors {}, found {}", where,
                                           fmt::join(r.names(), ", "), fmt::join(c.names(), ", ")));
    }
    for (size_t t = 0; t < r.tensors().size(); ++t) {
      if (c.tensors()[t].sizes() != r.tensors()[t].sizes()) {
        throw StorageError(path,
                           fmt::format("{}/{}: expected shape {}, found {}", where, r.names()[t],
                                       shape_of(r.tensors()[t]), shape_of(c.tensors()[t])));
      }
    }
  }
  return std::move(set.components);
}

std::vector<model::Component> RootSource::import_torch(const std::string& path,
                                                       const config::ArchitectureSpec& expected) {
  if (expected.family != "vit") {
    throw StorageError(path, fmt::format("expected root.architecture.family \"vit\" for a "
                                         "PyTorch ViT, found \"{}\"",
                                         expected.family));
  }
  const StateDict sd = TorchStateDict::read(path);
  std::map<std::string, at::Tensor> by_name(sd.begin(), sd.end());
  const auto head = by_name.find("head.weight");
  if (head == by_name.end()) {
    throw StorageError(path,
                       "head.weight: expected the head's [classes, dim] weight, found "
                       "none (a timm ViT with num_classes > 0)");
  }
  const int64_t classes = head_classes(path, head->second, "head.weight", expected);
  std::vector<model::Component> out;
  for (const model::Component& r : model::VitFactory::root(expected, classes, "root", 0)) {
    std::vector<at::Tensor> tensors;
    for (size_t t = 0; t < r.names().size(); ++t) {
      const std::string name = model::TimmNames::of(r, r.names()[t]);
      const auto it = by_name.find(name);
      const at::Tensor& want = r.tensors()[t];
      if (it == by_name.end()) {
        throw StorageError(
            path, fmt::format("{}: expected a tensor of shape {} ({} of {}), found "
                              "none",
                              name, shape_of(want), model::kind_name(r.kind()), expected.name));
      }
      if (it->second.sizes() != want.sizes() || !at::isFloatingType(it->second.scalar_type())) {
        throw StorageError(
            path, fmt::format("{}: expected a float tensor of shape {}, found {} "
                              "of shape {}",
                              name, shape_of(want), c10::toString(it->second.scalar_type()),
                              shape_of(it->second)));
      }
      tensors.push_back(it->second.to(at::kFloat).contiguous());
      by_name.erase(it);
    }
    out.emplace_back(r.id(), r.kind(), r.index(), r.owner(), r.parent(), r.names(),
                     std::move(tensors));
  }
  if (!by_name.empty()) {
    std::vector<std::string> extra;
    for (const auto& [name, t] : by_name)
      extra.push_back(name);
    if (extra.size() > 4) {
      extra.resize(4);
      extra.push_back("...");
    }
    throw StorageError(
        path, fmt::format("expected only the tensors of a {} (dim {}, depth {}), "
                          "found more: {}",
                          expected.name, expected.dim, expected.depth, fmt::join(extra, ", ")));
  }
  return out;
}

std::vector<model::Component> RootSource::import_any(const std::string& path,
                                                     const config::ArchitectureSpec& expected) {
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {0, 0};
  in.read(magic, 2);
  return magic[0] == 'P' && magic[1] == 'K' ? import_torch(path, expected) : import(path, expected);
}

void RootSource::export_root(const std::string& path, const config::ArchitectureSpec& architecture,
                             const std::vector<model::Component>& root) {
  ComponentFile::write(path, architecture, root);
}

}  // namespace evostream::storage
