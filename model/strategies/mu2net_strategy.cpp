#include "model/strategies/mu2net_strategy.hpp"

#include <optional>

namespace evostream::model {

namespace {

// Generations of an Evolver, one batch each.
class Evolution : public TaskLearner {
 public:
  Evolution(std::unique_ptr<Evolver> evolver, int64_t generations)
      : evolver_(std::move(evolver)), generations_(generations) {}

  std::vector<Candidate> next() override {
    if (generation_ >= generations_)
      return {};
    return evolver_->propose(generation_++);
  }

  CandidateRecord record(const Candidate& c, const TrainResult& result) override {
    const CandidateRecord r = evolver_->record(c, result);
    outcome_.train_seconds += result.seconds;
    outcome_.candidates.push_back(r);
    return r;
  }

  TaskOutcome finish() override {
    outcome_.path = evolver_->best();
    outcome_.added = evolver_->new_components();
    return std::move(outcome_);
  }

 private:
  std::unique_ptr<Evolver> evolver_;
  int64_t generations_;
  int64_t generation_ = 0;
  TaskOutcome outcome_;
};

}  // namespace

Mu2NetStrategy::Mu2NetStrategy(StrategyEnvironment env)
    : Strategy(std::move(env)), space_(env_.architecture) {}

std::unique_ptr<TaskLearner> Mu2NetStrategy::start(const RunState& state, const TaskContext& ctx) {
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
  return std::make_unique<Evolution>(
      std::make_unique<Evolver>(state.store, state.usage, std::move(seeds), previous,
                                offspring_[task], space_, env_.architecture, task,
                                ctx.task.num_classes, state.root_params, settings),
      settings.generations);
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
