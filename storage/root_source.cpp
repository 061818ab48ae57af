#include "storage/root_source.hpp"

#include <fmt/format.h>

#include "model/nn/vit/vit_factory.hpp"
#include "storage/component_file.hpp"
#include "storage/storage_error.hpp"

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

}  // namespace

std::vector<model::Component> RootSource::import(const std::string& path,
                                                 const streams::ArchitectureSpec& expected) {
  ComponentSet set = ComponentFile::read(path);
  const auto& a = set.architecture;
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
  const int64_t classes = set.components.back().tensors().front().size(0);
  const std::vector<model::Component> reference =
      model::VitFactory::root(expected, classes, "root", 0);
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
      throw StorageError(path, fmt::format("{}: expected {} tensors named as the architecture has "
                                           "them, found {}",
                                           where, r.names().size(), c.names().size()));
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

void RootSource::export_root(const std::string& path, const streams::ArchitectureSpec& architecture,
                             const std::vector<model::Component>& root) {
  ComponentFile::write(path, architecture, root);
}

}  // namespace evostream::storage
