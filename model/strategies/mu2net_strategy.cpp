#include "model/strategies/mu2net_strategy.hpp"

#include <optional>

namespace evostream::model {

Mu2NetStrategy::Mu2NetStrategy(StrategyEnvironment env)
    : Strategy(std::move(env)), space_(env_.architecture), trainer_(env_.train, env_.cache) {}

TaskOutcome Mu2NetStrategy::learn(const RunState& state, const TaskContext& ctx) {
  const std::string& task = ctx.task.name();
  std::vector<Path> seeds;
  for (const auto& [name, path] : state.paths) {
    if (name != task)
      seeds.push_back(path);
  }
  seeds.push_back(state.root);
  std::optional<Path> previous;
  if (auto p = state.paths.find(task); p != state.paths.end())
    previous = p->second;

  EvolutionSettings settings;
  settings.generations = env_.spec.generations;
  settings.children = env_.spec.children;
  settings.scale_factor = env_.spec.scale_factor;
  settings.seed = ctx.seed;
  settings.task_index = ctx.task_index;
  settings.iteration = ctx.iteration;
  Evolver evolver(state.store, state.usage, std::move(seeds), previous, offspring_[task], space_,
                  env_.architecture, task, ctx.task.num_classes, state.root_params, settings);

  TaskOutcome out;
  for (int64_t g = 0; g < settings.generations; ++g) {
    for (const Candidate& c : evolver.propose(g)) {
      const TrainResult result = trainer_.train(c.components, c.path.hp, ctx.task, c.training_seed);
      const CandidateRecord r = evolver.record(c, result);
      out.train_seconds += result.seconds;
      out.candidates.push_back(r);
      if (ctx.on_candidate)
        ctx.on_candidate(r);
    }
  }
  out.path = evolver.best();
  out.added = evolver.new_components();
  return out;
}

}  // namespace evostream::model
