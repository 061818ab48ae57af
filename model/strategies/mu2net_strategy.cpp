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
      ctx.check_stop();
      const TrainResult result =
          trainer_.train(c.components, c.path.hp, ctx.task, c.training_seed,
                         [&](int64_t, int64_t, double) { ctx.check_stop(); });
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

std::map<std::string, int64_t> Mu2NetStrategy::counters() const {
  std::map<std::string, int64_t> out;
  for (const auto& [task, counts] : offspring_) {
    for (const auto& [path, n] : counts)
      out[task + '\n' + path] = n;
  }
  return out;
}

void Mu2NetStrategy::restore_counters(const std::map<std::string, int64_t>& counters) {
  offspring_.clear();
  for (const auto& [key, n] : counters) {
    const size_t cut = key.find('\n');
    offspring_[key.substr(0, cut)][key.substr(cut + 1)] = n;
  }
}

}  // namespace evostream::model
