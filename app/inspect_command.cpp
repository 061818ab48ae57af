#include "app/inspect_command.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "model/core/parameter_store.hpp"
#include "model/nn/masked/masked_factory.hpp"
#include "model/run/stream_runner.hpp"
#include "storage/run_directory.hpp"

namespace evostream::app {

int InspectCommand::run(std::ostream& out, std::ostream& err) const {
  const storage::RunDirectory dir(run_dir_);
  storage::LoadedRun loaded = dir.load(false);
  for (const auto& w : loaded.warnings)
    err << "evostream: warning: " << w << "\n";
  model::ParameterStore store;
  store.commit("root", loaded.root);
  for (auto& c : loaded.components)
    store.commit(c.owner(), {c});
  const model::RunProgress& p = loaded.progress;
  const std::string hash = model::run_state_hash(store, p);
  if (hash_only_) {
    out << "state-hash: " << hash << "\n";
    return 0;
  }
  out << fmt::format("run {}: scenario {}, strategy {}, seed {}\n", run_dir_,
                     loaded.identity.scenario, loaded.identity.strategy, loaded.identity.seed);
  out << fmt::format(
      "{} of {} task visits committed; latest snapshot {}; {} components, {} "
      "parameters in the store\n",
      p.events_done, loaded.identity.events_total, loaded.sequence, store.size(),
      store.num_params());
  for (size_t j = 0; j < p.tasks.size(); ++j) {
    const auto& t = p.tasks[j];
    auto path = p.paths.find(t.name);
    if (path == p.paths.end()) {
      out << fmt::format("  {:<22} not learned yet\n", t.name);
      continue;
    }
    int64_t params = 0;
    for (const auto& id : path->second.ids)
      params += store.get(id)->num_params();
    // The latest measured accuracy (unmeasured tasks keep theirs: see `AccuracyMatrix`).
    const double acc = 100.0 * t.test_accuracy;
    out << fmt::format(
        "  {:<22} test {:6.2f}%  validation {:6.2f}%  {:>8} params on its path, "
        "{:>8} added  path {}\n",
        t.name, acc, 100.0 * t.validation_accuracy, params, t.params_added, path->second.name);
    out << "    " << fmt::format("{}", fmt::join(path->second.ids, " ")) << "\n";
    // The task's own masks (how much of each layer they keep) and coefficients.
    std::vector<std::string> masks;
    std::vector<std::string> alphas;
    for (const auto& id : path->second.ids) {
      const auto c = store.get(id);
      if (c->owner() != t.name)
        continue;
      if (c->kind() == model::ComponentKind::kMask) {
        const at::Tensor m = model::MaskedFactory::mask_of(*c);
        masks.push_back(fmt::format("layer {} keeps {:.1f}% of {}", c->index(),
                                    100.0 * m.mean().item<double>(), m.numel()));
      } else if (c->kind() == model::ComponentKind::kAlpha) {
        const at::Tensor a = c->tensor("alpha").to(at::kDouble).contiguous();
        std::vector<std::string> values;
        for (int64_t i = 0; i < a.numel(); ++i)
          values.push_back(fmt::format("{:.3f}", a.data_ptr<double>()[i]));
        alphas.push_back(fmt::format("layer {} [{}]", c->index(), fmt::join(values, " ")));
      }
    }
    if (!masks.empty())
      out << "    masks: " << fmt::format("{}", fmt::join(masks, ", ")) << "\n";
    if (!alphas.empty())
      out << "    α: " << fmt::format("{}", fmt::join(alphas, ", ")) << "\n";
  }
  out << "state-hash: " << hash << "\n";
  return 0;
}

}  // namespace evostream::app
