#include "model/strategies/impresslearn/impresslearn_strategy.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_family.hpp"
#include "model/strategies/path_draft.hpp"
#include "streams/rng.hpp"

namespace evostream::model {

namespace {

// Cross-entropy + λ Σ over the trained coefficients of (‖α‖₁ − 1)².
class AlphaNormPenalty : public Objective {
 public:
  explicit AlphaNormPenalty(double lambda) : lambda_(lambda) {}
  std::string name() const override { return "impresslearn-alpha-l1"; }
  at::Tensor loss(const LossInputs& in) const override {
    at::Tensor loss = at::cross_entropy_loss(in.logits, in.labels);
    for (const Component& c : in.training) {
      if (c.kind() == ComponentKind::kAlpha)
        loss = loss + lambda_ * (c.tensor("alpha").abs().sum() - 1.0).pow(2);
    }
    return loss;
  }

 private:
  double lambda_;
};

// The committed path's layers (random layer, masks, coefficients) by layer.
std::vector<MaskedLayer> layers_of(const RunState& state, const Path& path,
                                   std::vector<std::shared_ptr<const Component>>& keep) {
  keep = state.store.resolve(path.ids);
  return MaskedLayer::of(pointers(keep));
}

}  // namespace

std::vector<std::vector<std::shared_ptr<const Component>>> ImpressLearnStrategy::impressions(
    const RunState& state, const std::string& task) const {
  const ImpressLearnOptions& o = options();
  const auto k = static_cast<size_t>(o.impressions);
  std::vector<std::vector<std::shared_ptr<const Component>>> out;
  std::vector<const Path*> seeds;
  for (const Path* p : state.ordered_paths()) {
    if (p->task == task)
      continue;
    std::vector<std::shared_ptr<const Component>> handles;
    const auto layers = layers_of(state, *p, handles);
    if (layers.front().alpha != nullptr) {
      // The first path with coefficients fixed the impressions: reuse its masks.
      for (const MaskedLayer& l : layers) {
        std::vector<std::shared_ptr<const Component>> masks;
        for (const Component* m : l.masks)
          masks.push_back(state.store.get(m->id()));
        out.push_back(std::move(masks));
      }
      return out;
    }
    seeds.push_back(p);
  }
  if (o.source == "random" || seeds.size() < k)
    return out;
  seeds.resize(k);
  for (const Path* p : seeds) {
    std::vector<std::shared_ptr<const Component>> handles;
    const auto layers = layers_of(state, *p, handles);
    out.resize(layers.size());
    for (size_t l = 0; l < layers.size(); ++l)
      out[l].push_back(state.store.get(layers[l].masks.front()->id()));
  }
  return out;
}

std::unique_ptr<TaskLearner> ImpressLearnStrategy::start(const RunState& state,
                                                         const TaskContext& ctx) {
  const ImpressLearnOptions& o = options();
  auto basis = impressions(state, ctx.task.name());
  PathDraft draft(ctx);
  if (basis.empty() && o.source == "heterogeneous") {
    // One of the first K tasks: it learns its masks as SupSup does.
    add_masked_layers(draft, state, ctx);
    return train_masks(std::move(draft.path()), std::move(draft.components()), state, ctx, nullptr);
  }
  const auto layers = state.store.resolve(state.root.ids);
  for (size_t l = 0; l < layers.size(); ++l) {
    const auto& random = layers[l];
    const at::Tensor shape = random->tensor("shape");
    const bool head = l + 1 == layers.size();
    const int64_t rows = head ? ctx.task.num_classes : shape[0].item<int64_t>();
    const int64_t cols = shape[1].item<int64_t>();
    const auto index = static_cast<int64_t>(l);
    draft.add(random);
    if (basis.size() < layers.size()) {
      // Random impressions, committed with this task: seeded, `density` of the weights kept.
      const auto keep =
          std::max<int64_t>(1, std::llround(o.density * static_cast<double>(rows * cols)));
      for (int64_t i = 0; i < o.impressions; ++i) {
        const uint64_t seed = streams::Rng::derive({ctx.seed, 0x1a9e55u, static_cast<uint64_t>(l),
                                                    static_cast<uint64_t>(i)})
                                  .next_u64();
        draft.add(std::make_shared<const Component>(
            MaskedFactory::random_mask(derived_id(draft.task(), ComponentKind::kMask, index,
                                                  "." + std::to_string(i) + draft.suffix()),
                                       draft.task(), index, rows, cols, keep, seed)));
      }
    } else {
      for (const auto& m : basis[l]) {
        if (MaskedFactory::shape_of(*m)[0] != rows) {
          throw std::invalid_argument(fmt::format(
              "impresslearn: task {} has {} classes, but the head's impression {} has {} rows",
              ctx.task.name(), rows, m->id(), MaskedFactory::shape_of(*m)[0]));
        }
        draft.add(m);
      }
    }
    draft.add(std::make_shared<const Component>(
        MaskedFactory::alpha(derived_id(draft.task(), ComponentKind::kAlpha, index, draft.suffix()),
                             draft.task(), index, o.impressions)));
  }
  return train_masks(std::move(draft.path()), std::move(draft.components()), state, ctx,
                     std::make_shared<AlphaNormPenalty>(o.lambda), o.alpha_learning_rate);
}

}  // namespace evostream::model
