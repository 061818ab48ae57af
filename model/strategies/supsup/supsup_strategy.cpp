#include "model/strategies/supsup/supsup_strategy.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "model/nn/masked/masked_factory.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"
#include "streams/rng.hpp"

namespace evostream::model {

namespace {

// One visit: the inner learner's candidates trained with the strategy's optimizer and
// objective; what it commits has its masks packed.
class MaskVisit : public TaskLearner {
 public:
  MaskVisit(std::unique_ptr<TaskLearner> inner, std::shared_ptr<const Objective> objective,
            OptimizerOptions optimizer)
      : inner_(std::move(inner)), objective_(std::move(objective)), optimizer_(optimizer) {}

  std::vector<Candidate> next() override {
    auto batch = inner_->next();
    for (auto& c : batch) {
      c.objective = objective_;
      c.optimizer = optimizer_;
    }
    return batch;
  }
  CandidateRecord record(const Candidate& c, const TrainResult& r) override {
    return inner_->record(c, r);
  }
  TaskOutcome finish() override {
    TaskOutcome out = inner_->finish();
    for (auto& c : out.added) {
      c = c.kind() == ComponentKind::kMask ? MaskedFactory::packed(c.with_momentum({}))
                                           : c.with_momentum({});
    }
    return out;
  }

 private:
  std::unique_ptr<TaskLearner> inner_;
  std::shared_ptr<const Objective> objective_;
  OptimizerOptions optimizer_;
};

}  // namespace

SupSupStrategy::SupSupStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {
  require_masked_family(env_, env_.spec.name);
}

void SupSupStrategy::require_masked_family(const StrategyEnvironment& env,
                                           const std::string& strategy) {
  const std::string family = env.train.family ? env.train.family->name() : "vit";
  if (family != "masked-fc") {
    throw std::invalid_argument(fmt::format(
        "strategy {}: expected [root.architecture] family = \"masked-fc\" (a random backbone "
        "under supermasks), found \"{}\"",
        strategy, family));
  }
}

void SupSupStrategy::add_masked_layers(PathDraft& draft, const RunState& state,
                                       const TaskContext& ctx, int64_t variant) const {
  const SupSupOptions& o = supsup_options();
  const auto layers = state.store.resolve(state.root.ids);
  for (size_t l = 0; l < layers.size(); ++l) {
    const auto& random = layers[l];
    const auto shape = MaskedFactory::layer_shape(*random);
    const bool head = l + 1 == layers.size();
    const int64_t rows = head ? ctx.task.num_classes : shape[0];
    const int64_t cols = shape[1];
    if (head && rows > shape[0]) {
      throw std::invalid_argument(fmt::format(
          "task {} has {} classes but the random head has {} outputs ([root.architecture] "
          "classes)",
          ctx.task.name(), rows, shape[0]));
    }
    const int64_t keep =
        o.mask == "threshold"
            ? 0
            : std::max<int64_t>(1, std::llround(o.density * static_cast<double>(rows * cols)));
    uint64_t seed =
        streams::Rng::derive({ctx.seed, 0x5095u, static_cast<uint64_t>(ctx.task_index),
                              static_cast<uint64_t>(ctx.iteration), static_cast<uint64_t>(l)})
            .next_u64();
    if (variant >= 0)
      seed = streams::Rng::derive({seed, static_cast<uint64_t>(variant)}).next_u64();
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
  path.hp = SharedBackboneStrategy::hyperparameters_of(supsup_options());
  if (learning_rate > 0.0)
    path.hp.learning_rate = learning_rate;
  auto inner = train_once(std::move(path), std::move(components), state, ctx);
  return std::make_unique<MaskVisit>(std::move(inner), std::move(objective),
                                     SharedBackboneStrategy::optimizer_of(supsup_options()));
}

std::unique_ptr<TaskLearner> SupSupStrategy::start(const RunState& state, const TaskContext& ctx) {
  PathDraft draft(ctx);
  add_masked_layers(draft, state, ctx);
  return train_masks(std::move(draft.path()), std::move(draft.components()), state, ctx, nullptr);
}

}  // namespace evostream::model
