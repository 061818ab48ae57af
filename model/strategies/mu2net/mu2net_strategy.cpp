#include "model/strategies/mu2net/mu2net_strategy.hpp"

#include <limits>
#include <optional>

#include "model/strategies/mu2net/mu2net_options.hpp"

namespace evostream::model {

namespace {

// Generations of an Evolver, one batch each, then its final candidate if it has one.
//
// With `patience` > 0 the search ends once that many generations in a row have not raised the
// best score, and the generations left give their steps to the final candidate.
//
// The evolver counts children per parent in the learner's own copy of the task's counters; they
// reach the strategy only when the visit finishes (is committed), so a visit that is abandoned,
// or one evolving while another commits, never changes what a snapshot records.
class Evolution : public TaskLearner {
 public:
  Evolution(std::map<std::string, int64_t>& committed, const EvolutionSettings& settings)
      : committed_(committed), offspring_(committed), settings_(settings) {}

  /// Sets the evolver, which counts into `offspring()`.
  void set_evolver(std::unique_ptr<Evolver> evolver) { evolver_ = std::move(evolver); }
  std::map<std::string, int64_t>& offspring() { return offspring_; }

  std::vector<Candidate> next() override {
    if (final_proposed_)
      return {};
    if (generation_ < settings_.generations && !stalled())
      return evolver_->propose(generation_++);
    final_proposed_ = true;
    const int64_t left = settings_.generations - generation_;
    return evolver_->propose_final(generation_,
                                   left * settings_.children * settings_.candidate_steps);
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
    committed_ = offspring_;
    return std::move(outcome_);
  }

 private:
  std::map<std::string, int64_t>& committed_;
  std::map<std::string, int64_t> offspring_;
  // Whether the generations proposed so far have run out of patience: called once after each
  // generation's results are in, it counts the generations in a row that kept the best score.
  bool stalled() {
    if (settings_.patience < 1 || generation_ == 0)
      return false;
    const double best = evolver_->best_score();
    stale_ = best > best_ ? 0 : stale_ + 1;
    best_ = best;
    return stale_ >= settings_.patience;
  }

  std::unique_ptr<Evolver> evolver_;
  EvolutionSettings settings_;
  int64_t generation_ = 0;
  bool final_proposed_ = false;
  double best_ = -std::numeric_limits<double>::infinity();
  int64_t stale_ = 0;
  TaskOutcome outcome_;
};

}  // namespace

Mu2NetStrategy::Mu2NetStrategy(StrategyEnvironment env)
    : Strategy(std::move(env)), space_(env_.architecture) {}

std::unique_ptr<TaskLearner> Mu2NetStrategy::start(const RunState& state, const TaskContext& ctx) {
  const std::string& task = ctx.task.name();
  // Every other task's path in name order, then the root's.
  const std::vector<const Path*>& all = state.ordered_paths();
  const size_t own = state.position(task);
  std::vector<const Path*> seeds;
  seeds.reserve(all.size() + 1);
  for (size_t i = 0; i < all.size(); ++i) {
    if (i != own)
      seeds.push_back(all[i]);
  }
  seeds.push_back(&state.root);
  std::optional<Path> previous;
  if (own < all.size())
    previous = *all[own];

  EvolutionSettings settings;
  const auto& options = env_.options_as<Mu2NetOptions>();
  settings.generations = options.generations;
  settings.children = options.children;
  settings.scale_factor = env_.spec.scale_factor;
  settings.seed = ctx.seed;
  settings.task_index = ctx.task_index;
  settings.iteration = ctx.iteration;
  if (options.final_share > 0.0) {
    settings.candidate_steps = options.search_steps(env_.spec.task_steps);
    settings.final_steps = options.final_steps(env_.spec.task_steps);
  }
  settings.clone_root = options.clone_untrained_root && env_.untrained_root;
  settings.bottom_clone = options.bottom_clone;
  settings.patience = options.patience;
  settings.continue_schedule = options.continue_schedule;
  settings.keep_final = options.keep_final;
  auto learner = std::make_unique<Evolution>(offspring_[task], settings);
  learner->set_evolver(std::make_unique<Evolver>(
      state.store, state.usage, std::move(seeds), previous, learner->offspring(), space_,
      env_.architecture, task, ctx.task.num_classes, state.root_params, settings));
  return learner;
}

std::map<std::string, int64_t> Mu2NetStrategy::counters() const {
  std::map<std::string, int64_t> out;
  for (const auto& [task, counts] : offspring_) {
    for (const auto& [path, n] : counts)
      out[task + '\n' + path] = n;
  }
  return out;
}

std::map<std::string, int64_t> Mu2NetStrategy::counters(const std::string& task) const {
  std::map<std::string, int64_t> out;
  const auto counts = offspring_.find(task);
  if (counts != offspring_.end()) {
    for (const auto& [path, n] : counts->second)
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
