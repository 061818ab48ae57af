#include "model/strategies/baselines/baseline_strategy.hpp"

#include <fmt/format.h>

#include "model/nn/vit/vit_factory.hpp"
#include "model/strategies/baselines/baseline_options.hpp"
#include "model/strategies/path_draft.hpp"

namespace evostream::model {

namespace {

BaselineStrategy::Kind kind_of(const std::string& name) {
  if (name == "finetune")
    return BaselineStrategy::Kind::kFinetune;
  if (name == "head-only")
    return BaselineStrategy::Kind::kHeadOnly;
  if (name == "adapters")
    return BaselineStrategy::Kind::kAdapters;
  throw std::invalid_argument(
      fmt::format("unknown baseline \"{}\" (expected finetune, head-only or adapters)", name));
}

}  // namespace

BaselineStrategy::BaselineStrategy(StrategyEnvironment env)
    : Strategy(std::move(env)), kind_(kind_of(env_.spec.name)) {}

std::string BaselineStrategy::name() const {
  switch (kind_) {
    case Kind::kFinetune:
      return "finetune";
    case Kind::kHeadOnly:
      return "head-only";
    case Kind::kAdapters:
      return "adapters";
  }
  return "";
}

std::unique_ptr<TaskLearner> BaselineStrategy::start(const RunState& state,
                                                     const TaskContext& ctx) {
  PathDraft draft(ctx);
  const std::string& task = draft.task();
  if (kind_ == Kind::kAdapters)
    draft.path().recipe.set_extra(kAdapterDimExtra, static_cast<double>(kAdapterDim), true);
  for (const auto& c : state.store.resolve(state.root.ids)) {
    if (c->kind() == ComponentKind::kHead)
      continue;
    if (kind_ == Kind::kAdapters && c->kind() == ComponentKind::kBlock) {
      draft.add(std::make_shared<const Component>(
          VitFactory::adapter(derived_id(task, ComponentKind::kAdapter, c->index(), draft.suffix()),
                              task, c->index(), env_.architecture.dim, kAdapterDim,
                              common::Rng::derive({ctx.seed, static_cast<uint64_t>(ctx.task_index),
                                                   static_cast<uint64_t>(ctx.iteration),
                                                   static_cast<uint64_t>(c->index())})
                                  .next_u64())));
    }
    if (kind_ == Kind::kFinetune)
      draft.add_clone(*c);
    else
      draft.add(c);
  }
  draft.add_head(env_.architecture.dim);
  return train_once(std::move(draft.path()), std::move(draft.components()), state, ctx,
                    env_.options_as<BaselineOptions>().models);
}

}  // namespace evostream::model
