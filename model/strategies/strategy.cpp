#include "model/strategies/strategy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

#include "model/core/run_interrupted.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/simulation_model.hpp"

namespace evostream::model {

RunState::RunState(const RunState& other)
    : store(other.store),
      usage(other.usage),
      root(other.root),
      root_params(other.root_params),
      paths(other.paths),
      last_task(other.last_task) {
  reindex();
}

RunState& RunState::operator=(const RunState& other) {
  if (this != &other) {
    store = other.store;
    usage = other.usage;
    root = other.root;
    root_params = other.root_params;
    paths = other.paths;
    last_task = other.last_task;
    reindex();
  }
  return *this;
}

void RunState::set_path(const std::string& task, Path path) {
  const auto [at, inserted] = paths.insert_or_assign(task, std::move(path));
  if (!inserted)
    return;
  const auto before = std::lower_bound(entries_.begin(), entries_.end(), task,
                                       [](const std::pair<const std::string, Path>* e,
                                          const std::string& name) { return e->first < name; });
  ordered_.insert(ordered_.begin() + (before - entries_.begin()), &at->second);
  entries_.insert(before, &*at);
}

size_t RunState::position(const std::string& task) const {
  const auto at = std::lower_bound(entries_.begin(), entries_.end(), task,
                                   [](const std::pair<const std::string, Path>* e,
                                      const std::string& name) { return e->first < name; });
  return at != entries_.end() && (*at)->first == task ? static_cast<size_t>(at - entries_.begin())
                                                      : entries_.size();
}

void RunState::set_paths(std::map<std::string, Path> all) {
  paths = std::move(all);
  reindex();
}

void RunState::reindex() {
  entries_.clear();
  ordered_.clear();
  entries_.reserve(paths.size());
  ordered_.reserve(paths.size());
  for (const auto& entry : paths) {
    entries_.push_back(&entry);
    ordered_.push_back(&entry.second);
  }
}

StrategyEnvironment StrategyEnvironment::of(const config::Scenario& s,
                                            std::shared_ptr<PrefixCache> cache) {
  return of(s, std::move(cache), StrategyRegistry::builtin());
}

StrategyEnvironment StrategyEnvironment::of(const config::Scenario& s,
                                            std::shared_ptr<PrefixCache> cache,
                                            const StrategyRegistry& registry) {
  StrategyEnvironment env;
  env.architecture = s.root.architecture;
  env.spec = s.strategy;
  env.untrained_root = s.root.source == config::RootSpec::Source::kInit && !s.simulated();
  env.options = registry.read_options(s);
  env.make = registry.find(s.strategy.name).make;
  env.train.steps = env.options->candidate_steps(s.strategy.task_steps);
  env.train.batch_size = s.strategy.batch_size;
  env.train.validation_interval = s.strategy.validation_interval;
  env.train.family = ModelFamily::of(s.root.architecture);
  env.train.threads = s.trainers.threads;
  env.train.device = s.trainers.device;
  if (s.simulated())
    env.simulation = std::make_shared<const SimulationModel>(s);
  env.trainer = CandidateTrainer::make(env.train, std::move(cache), env.simulation);
  return env;
}

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

namespace {

// Independent candidates, each trained once from its own seed; the one with the best
// validation (the first on ties) is committed whatever its score.
class BestOfTrainings : public TaskLearner {
 public:
  BestOfTrainings(std::vector<Candidate> candidates, const RunState& state, const TaskContext& ctx,
                  double scale_factor)
      : candidates_(std::move(candidates)), state_(state), ctx_(ctx), scale_(scale_factor) {}

  std::vector<Candidate> next() override {
    if (issued_)
      return {};
    issued_ = true;
    return candidates_;
  }

  CandidateRecord record(const Candidate& c, const TrainResult& result) override {
    Path path = c.path;
    auto components = c.components;
    int64_t trained_params = 0;
    for (const auto& t : result.trained) {
      auto at = std::find(path.ids.begin(), path.ids.end(), t.id());
      if (at == path.ids.end())
        throw std::invalid_argument("trained component " + t.id() + " is not on path " + path.name);
      components[static_cast<size_t>(at - path.ids.begin())] = std::make_shared<const Component>(t);
      trained_params += t.num_params();
    }
    std::vector<int64_t> params;
    for (const auto& comp : components)
      params.push_back(comp->num_params());
    path.quality = result.quality;
    path.score = path_score(result.quality, scale_,
                            accounted_params(path.ids, params, state_.usage, ctx_.task.name()),
                            state_.root_params);
    CandidateRecord r;
    r.name = path.name;
    r.child = c.child;
    r.quality = path.quality;
    r.score = path.score;
    r.kept = !best_ || path.quality > outcome_.path.quality;
    r.trained_params = trained_params;
    r.seconds = result.seconds;
    if (r.kept) {
      best_ = true;
      outcome_.path = path;
      outcome_.added.clear();
      for (const auto& comp : components) {
        if (!state_.store.contains(comp->id()))
          outcome_.added.push_back(*comp);
      }
    }
    outcome_.candidates.push_back(r);
    outcome_.train_seconds += result.seconds;
    return r;
  }

  TaskOutcome finish() override { return std::move(outcome_); }

 private:
  std::vector<Candidate> candidates_;
  const RunState& state_;
  const TaskContext& ctx_;
  double scale_;
  bool issued_ = false;
  bool best_ = false;
  TaskOutcome outcome_;
};

}  // namespace

std::unique_ptr<TaskLearner> Strategy::train_once(
    Path path, std::vector<std::shared_ptr<const Component>> components, const RunState& state,
    const TaskContext& ctx, int64_t models) const {
  const int64_t budget = env_.spec.task_steps;
  if (models < 1 || budget % models != 0) {
    throw std::invalid_argument(fmt::format(
        "models: expected a divisor of the budget ({} steps), found {}", budget, models));
  }
  std::vector<Candidate> candidates;
  for (int64_t k = 0; k < models; ++k) {
    Candidate c;
    c.path = path;
    if (models > 1)
      c.path.name = fmt::format("{}.{}", path.name, k);
    c.components = components;
    c.child = k;
    c.steps = budget / models;
    c.training_seed =
        common::Rng::derive({ctx.seed, static_cast<uint64_t>(ctx.task_index),
                             static_cast<uint64_t>(ctx.iteration), 0, static_cast<uint64_t>(k)})
            .next_u64();
    candidates.push_back(std::move(c));
  }
  return std::make_unique<BestOfTrainings>(std::move(candidates), state, ctx,
                                           env_.spec.scale_factor);
}

TrainResult Strategy::train(const Candidate& candidate, const streams::TaskData& task,
                            const TrainProgress& progress) const {
  return env_.trainer->train(TrainJob::of(candidate), task, progress);
}

std::map<std::string, int64_t> Strategy::counters(const std::string& task) const {
  std::map<std::string, int64_t> out;
  const std::string prefix = task + '\n';
  for (const auto& [key, n] : counters()) {
    if (key.compare(0, prefix.size(), prefix) == 0)
      out[key] = n;
  }
  return out;
}

}  // namespace evostream::model
