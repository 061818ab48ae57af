#include "model/strategies/supsup/supsup_strategy.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "common/rng.hpp"
#include "model/nn/masked/masked_factory.hpp"
#include "model/strategies/recipe_visit.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

SupSupStrategy::SupSupStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {
  require_masked_family(env_, env_.spec.name);
}

void SupSupStrategy::require_masked_family(const StrategyEnvironment& env,
                                           const std::string& strategy) {
  const std::string family = env.train.family ? env.train.family->name() : "vit";
  if (family != "masked-fc" && family != "masked-vit") {
    throw std::invalid_argument(fmt::format(
        "strategy {}: expected [root.architecture] family = \"masked-fc\" or \"masked-vit\" (a "
        "random backbone under supermasks), found \"{}\"",
        strategy, family));
  }
}

std::vector<int64_t> SupSupStrategy::mask_shape(const Component& random, bool head,
                                                const TaskContext& ctx) {
  const auto shape = MaskedFactory::layer_shape(random);
  if (!head)
    return shape;
  if (ctx.task.num_classes > shape[0]) {
    throw std::invalid_argument(fmt::format(
        "task {} has {} classes but the random head has {} outputs ([root.architecture] "
        "classes)",
        ctx.task.name(), ctx.task.num_classes, shape[0]));
  }
  return {ctx.task.num_classes, shape[1]};
}

int64_t SupSupStrategy::kept_at_density(int64_t rows, int64_t cols) const {
  return std::max<int64_t>(
      1, std::llround(supsup_options().density * static_cast<double>(rows * cols)));
}

void SupSupStrategy::add_masked_layers(PathDraft& draft, const RunState& state,
                                       const TaskContext& ctx, int64_t variant) const {
  const SupSupOptions& o = supsup_options();
  const auto layers = state.store.resolve(state.root.ids);
  for (size_t l = 0; l < layers.size(); ++l) {
    const auto& random = layers[l];
    const auto shape = mask_shape(*random, l + 1 == layers.size(), ctx);
    const int64_t rows = shape[0];
    const int64_t cols = shape[1];
    const int64_t keep = o.mask == "threshold" ? 0 : kept_at_density(rows, cols);
    uint64_t seed =
        common::Rng::derive({ctx.seed, 0x5095u, static_cast<uint64_t>(ctx.task_index),
                             static_cast<uint64_t>(ctx.iteration), static_cast<uint64_t>(l)})
            .next_u64();
    if (variant >= 0)
      seed = common::Rng::derive({seed, static_cast<uint64_t>(variant)}).next_u64();
    draft.add(random);
    draft.add(std::make_shared<const Component>(MaskedFactory::scores(
        derived_id(draft.task(), ComponentKind::kMask, static_cast<int64_t>(l),
                   (variant >= 0 ? "." + std::to_string(variant) : "") + draft.suffix()),
        draft.task(), static_cast<int64_t>(l), rows, cols, keep, seed)));
  }
}

std::unique_ptr<TaskLearner> SupSupStrategy::train_masks(
    Path path, std::vector<std::shared_ptr<const Component>> components, const RunState& state,
    const TaskContext& ctx, std::shared_ptr<const Objective> objective,
    double learning_rate) const {
  path.recipe = SharedBackboneStrategy::recipe_of(supsup_options());
  if (learning_rate > 0.0)
    path.recipe.learning_rate = learning_rate;
  auto inner = train_once(std::move(path), std::move(components), state, ctx);
  // Committed masks are packed; nothing keeps its training state.
  return std::make_unique<RecipeVisit>(
      std::move(inner), std::move(objective),
      SharedBackboneStrategy::optimizer_of(supsup_options()), [](TaskOutcome& out) {
        for (auto& c : out.added) {
          c = c.kind() == ComponentKind::kMask ? MaskedFactory::packed(c.with_momentum({}))
                                               : c.with_momentum({});
        }
      });
}

std::unique_ptr<TaskLearner> SupSupStrategy::start(const RunState& state, const TaskContext& ctx) {
  PathDraft draft(ctx);
  add_masked_layers(draft, state, ctx);
  return train_masks(std::move(draft.path()), std::move(draft.components()), state, ctx, nullptr);
}

}  // namespace evostream::model
