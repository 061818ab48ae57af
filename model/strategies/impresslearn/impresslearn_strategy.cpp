#include "model/strategies/impresslearn/impresslearn_strategy.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "common/rng.hpp"
#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_family.hpp"
#include "model/strategies/path_draft.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

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

// The first task of homogeneous impressions: K candidates, each the root's layers with fresh
// masks from its own seeds, trained for an equal share of the budget; the task commits all K
// mask sets and serves with coefficients one-hot on the best (W ⊙ (1·M_best + 0·M_other) is
// W ⊙ M_best exactly), which makes its path the first with coefficients, whose masks every
// later task combines.
class HomogeneousVisit : public TaskLearner {
 public:
  HomogeneousVisit(std::vector<Candidate> candidates, const RunState& state, const TaskContext& ctx)
      : candidates_(std::move(candidates)), state_(state), ctx_(ctx) {
    trained_.resize(candidates_.size());
  }

  std::vector<Candidate> next() override {
    if (issued_)
      return {};
    issued_ = true;
    return candidates_;
  }

  CandidateRecord record(const Candidate& c, const TrainResult& result) override {
    const auto k = static_cast<size_t>(c.child);
    for (const Component& t : result.trained)
      trained_[k].push_back(MaskedFactory::packed(t.with_momentum({})));
    CandidateRecord r;
    r.name = c.path.name;
    r.child = c.child;
    r.quality = result.quality;
    r.score = result.quality;
    r.kept = best_ < 0 || result.quality > quality_;
    if (r.kept) {
      best_ = c.child;
      quality_ = result.quality;
    }
    for (const Component& t : result.trained)
      r.trained_params += t.num_params();
    r.seconds = result.seconds;
    outcome_.candidates.push_back(r);
    outcome_.train_seconds += result.seconds;
    return r;
  }

  TaskOutcome finish() override {
    const auto random = state_.store.resolve(state_.root.ids);
    for (const auto& masks : trained_) {
      if (best_ < 0 || masks.size() != random.size())
        throw std::logic_error(
            "impresslearn: a homogeneous visit finished before every "
            "candidate was recorded");
    }
    const std::string suffix = "@" + std::to_string(ctx_.iteration);
    Path& path = outcome_.path;
    path.task = ctx_.task.name();
    path.name = path.task + suffix;
    path.recipe = candidates_.front().path.recipe;
    path.quality = quality_;
    path.score = quality_;
    for (size_t l = 0; l < random.size(); ++l) {
      path.ids.push_back(random[l]->id());
      for (auto& masks : trained_) {
        path.ids.push_back(masks[l].id());
        outcome_.added.push_back(masks[l]);
      }
      std::vector<float> one_hot(trained_.size(), 0.0f);
      one_hot[static_cast<size_t>(best_)] = 1.0f;
      const auto index = static_cast<int64_t>(l);
      Component alpha =
          MaskedFactory::alpha(derived_id(path.task, ComponentKind::kAlpha, index, suffix),
                               path.task, index, static_cast<int64_t>(trained_.size()));
      alpha = alpha.with_tensors({at::tensor(one_hot)});
      path.ids.push_back(alpha.id());
      outcome_.added.push_back(std::move(alpha));
    }
    return std::move(outcome_);
  }

 private:
  std::vector<Candidate> candidates_;
  const RunState& state_;
  const TaskContext& ctx_;
  std::vector<std::vector<Component>> trained_;
  bool issued_ = false;
  int64_t best_ = -1;
  double quality_ = 0.0;
  TaskOutcome outcome_;
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

std::unique_ptr<TaskLearner> ImpressLearnStrategy::homogeneous_visit(const RunState& state,
                                                                     const TaskContext& ctx) const {
  const ImpressLearnOptions& o = options();
  std::vector<Candidate> candidates;
  for (int64_t i = 0; i < o.impressions; ++i) {
    PathDraft draft(ctx);
    add_masked_layers(draft, state, ctx, i);
    Candidate c;
    c.path = std::move(draft.path());
    c.path.name += "." + std::to_string(i);
    c.path.recipe = SharedBackboneStrategy::recipe_of(o);
    c.components = std::move(draft.components());
    c.child = i;
    c.steps = env_.spec.task_steps / o.impressions;
    c.path.recipe.optimizer = SharedBackboneStrategy::optimizer_of(o);
    c.training_seed =
        common::Rng::derive({ctx.seed, static_cast<uint64_t>(ctx.task_index),
                             static_cast<uint64_t>(ctx.iteration), 0x40u, static_cast<uint64_t>(i)})
            .next_u64();
    candidates.push_back(std::move(c));
  }
  return std::make_unique<HomogeneousVisit>(std::move(candidates), state, ctx);
}

std::unique_ptr<TaskLearner> ImpressLearnStrategy::start(const RunState& state,
                                                         const TaskContext& ctx) {
  const ImpressLearnOptions& o = options();
  auto basis = impressions(state, ctx.task.name());
  PathDraft draft(ctx);
  if (basis.empty() && o.source == "homogeneous")
    return homogeneous_visit(state, ctx);
  if (basis.empty() && o.source == "heterogeneous") {
    // One of the first K tasks: it learns its masks as SupSup does.
    add_masked_layers(draft, state, ctx);
    return train_masks(std::move(draft.path()), std::move(draft.components()), state, ctx, nullptr);
  }
  const auto layers = state.store.resolve(state.root.ids);
  for (size_t l = 0; l < layers.size(); ++l) {
    const auto& random = layers[l];
    const auto shape = mask_shape(*random, l + 1 == layers.size(), ctx);
    const int64_t rows = shape[0];
    const int64_t cols = shape[1];
    const auto index = static_cast<int64_t>(l);
    draft.add(random);
    if (basis.size() < layers.size()) {
      // Random impressions, committed with this task: seeded, `density` of the weights kept.
      const int64_t keep = kept_at_density(rows, cols);
      for (int64_t i = 0; i < o.impressions; ++i) {
        const uint64_t seed = common::Rng::derive({ctx.seed, 0x1a9e55u, static_cast<uint64_t>(l),
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
