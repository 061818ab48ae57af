#include "model/strategies/strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/run_interrupted.hpp"
#include "model/strategies/baseline_strategy.hpp"
#include "model/strategies/mu2net_strategy.hpp"
#include "model/strategies/sequential_strategy.hpp"

namespace evostream::model {

void TaskContext::check_stop() const {
  if (stop && stop->load())
    throw RunInterrupted();
}

Path Strategy::serving_path(const RunState& state, const std::string& task) const {
  auto p = state.paths.find(task);
  if (p == state.paths.end())
    throw std::invalid_argument("no committed path for task " + task);
  return p->second;
}

TaskOutcome Strategy::train_once(Path path,
                                 std::vector<std::shared_ptr<const Component>> components,
                                 const RunState& state, const TaskContext& ctx) const {
  TrainSettings settings = env_.train;
  settings.steps = env_.spec.generations * env_.spec.children * env_.spec.steps;
  const Trainer trainer(settings, env_.cache);
  const uint64_t seed = streams::Rng::derive({ctx.seed, static_cast<uint64_t>(ctx.task_index),
                                              static_cast<uint64_t>(ctx.iteration), 0, 0})
                            .next_u64();
  ctx.check_stop();
  const TrainResult result = trainer.train(components, path.hp, ctx.task, seed,
                                           [&](int64_t, int64_t, double) { ctx.check_stop(); });

  TaskOutcome out;
  int64_t trained_params = 0;
  for (const auto& t : result.trained) {
    auto at = std::find(path.ids.begin(), path.ids.end(), t.id());
    components[static_cast<size_t>(at - path.ids.begin())] = std::make_shared<const Component>(t);
    trained_params += t.num_params();
  }
  std::vector<int64_t> params;
  for (const auto& c : components) {
    params.push_back(c->num_params());
    if (!state.store.contains(c->id()))
      out.added.push_back(*c);
  }
  path.quality = result.quality;
  path.score = path_score(result.quality, env_.spec.scale_factor,
                          accounted_params(path.ids, params, state.usage, ctx.task.name()),
                          state.root_params);
  CandidateRecord r;
  r.name = path.name;
  r.quality = path.quality;
  r.score = path.score;
  r.kept = true;
  r.trained_params = trained_params;
  r.seconds = result.seconds;
  if (ctx.on_candidate)
    ctx.on_candidate(r);
  out.candidates.push_back(r);
  out.train_seconds = result.seconds;
  out.path = std::move(path);
  return out;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, StrategyEnvironment env) {
  if (name == "mu2net")
    return std::make_unique<Mu2NetStrategy>(std::move(env));
  if (name == "finetune")
    return std::make_unique<BaselineStrategy>(BaselineStrategy::Kind::kFinetune, std::move(env));
  if (name == "head-only")
    return std::make_unique<BaselineStrategy>(BaselineStrategy::Kind::kHeadOnly, std::move(env));
  if (name == "adapters")
    return std::make_unique<BaselineStrategy>(BaselineStrategy::Kind::kAdapters, std::move(env));
  if (name == "sequential")
    return std::make_unique<SequentialStrategy>(std::move(env));
  throw std::invalid_argument(fmt::format(
      "unknown strategy \"{}\": expected mu2net, finetune, head-only, adapters or sequential",
      name));
}

}  // namespace evostream::model
