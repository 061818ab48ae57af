#include "app/export_command.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "app/task_model.hpp"
#include "model/nn/vit/timm_names.hpp"
#include "storage/component_file.hpp"
#include "storage/torch_state_dict.hpp"

namespace evostream::app {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int ExportCommand::run(std::ostream& out, std::ostream& err) const {
  const bool torch = ends_with(options_.out, ".pt") || ends_with(options_.out, ".pth");
  if (!torch && !ends_with(options_.out, ".h5")) {
    throw std::invalid_argument(
        fmt::format("--out: expected a file ending in .pt (PyTorch) or "
                    ".h5 (component file), found \"{}\"",
                    options_.out));
  }
  const TaskModel m = TaskModel::load(options_.run_dir, options_.task, err);
  const auto& a = m.scenario.root.architecture;
  const auto handles = m.store.resolve(m.path.ids);
  int64_t params = 0;
  for (const auto& h : handles)
    params += h->num_params();
  if (!torch) {
    std::vector<model::Component> components;
    for (const auto& h : handles)
      components.push_back(*h);
    storage::ComponentFile::write(options_.out, a, components);
    out << fmt::format("wrote path {} of task {}: {} components, {} parameters, to {}\n",
                       m.path.name, options_.task, components.size(), params, options_.out);
    return 0;
  }
  if (a.family != "vit") {
    throw std::invalid_argument(
        fmt::format("--out: a PyTorch state dict is written for the vit "
                    "family, found family \"{}\" (write NAME.h5 instead)",
                    a.family));
  }
  const auto state = model::TimmNames::state_dict(model::pointers(handles));
  storage::TorchStateDict::write(options_.out, state);
  bool adapters = false;
  int64_t classes = 0;
  for (const auto& h : handles) {
    adapters = adapters || h->kind() == model::ComponentKind::kAdapter;
    if (h->kind() == model::ComponentKind::kHead)
      classes = h->tensor("weight").size(0);
  }
  out << fmt::format("wrote path {} of task {}: {} tensors, {} parameters, to {}\n", m.path.name,
                     options_.task, state.size(), params, options_.out);
  out << fmt::format(
      "timm: VisionTransformer(img_size={}, patch_size={}, in_chans={}, embed_dim={}, depth={}, "
      "num_heads={}, mlp_ratio={}, num_classes={}, act_layer=partial(nn.GELU, "
      "approximate=\"tanh\")); feed it x * 2 - 1 for pixels x in [0, 1]\n",
      a.image_size, a.patch, a.channels, a.dim, a.depth, a.heads,
      static_cast<double>(a.mlp) / static_cast<double>(a.dim), classes);
  if (adapters) {
    out << "note: the path has adapters, which timm's ViT has no place for: load it with "
           "bench/peer/vit_peer.py (timm's strict loading refuses adapters.*)\n";
  }
  if (m.path.recipe.image_size > 0 && m.path.recipe.image_size != a.image_size) {
    out << fmt::format("note: the path runs on images resized to {} × {}\n",
                       m.path.recipe.image_size, m.path.recipe.image_size);
  }
  const auto& t = m.task;
  if (t.image_size > 0 || t.rotate_degrees != 0.0 || t.permute_seed || t.invert) {
    out << "note: the task transforms its inputs (image_size, rotate, permute_seed or invert) "
           "before the model; apply them to your images first (evostream predict does)\n";
  }
  return 0;
}

}  // namespace evostream::app
