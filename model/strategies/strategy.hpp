#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/core/component_usage.hpp"
#include "model/core/parameter_store.hpp"
#include "model/core/path.hpp"
#include "model/strategies/mu2net/evolver.hpp"
#include "model/strategies/strategy_options.hpp"
#include "model/train/candidate_trainer.hpp"
#include "model/train/prefix_cache.hpp"
#include "model/train/trainer.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

class SimulationModel;
class Strategy;
class StrategyRegistry;

/// What a run has built so far: the store, the committed paths and who uses what.
struct RunState {
  /// Every committed component (the root's first), all frozen.
  ParameterStore store;
  /// Which tasks' serving paths use each component.
  ComponentUsage usage;
  /// The root model's own path (ids `root/...`, its pretraining head included).
  Path root;
  /// Parameters of the root without its head: the score's normaliser.
  double root_params = 0.0;
  /// The path each task committed last. Change it through `set_path` or `set_paths`, which
  /// keep `ordered_paths` in step.
  std::map<std::string, Path> paths;
  /// The task committed most recently; empty before the first.
  std::string last_task;

  RunState() = default;
  /// Copies rebuild the index; moves keep it (the map's nodes move with it).
  RunState(const RunState& other);
  RunState& operator=(const RunState& other);
  RunState(RunState&&) = default;
  RunState& operator=(RunState&&) = default;

  /// Sets the path `task` committed, in O(log n) plus a move of n pointers.
  void set_path(const std::string& task, Path path);
  /// Replaces every path.
  void set_paths(std::map<std::string, Path> all);
  /// The committed paths in task-name order (the order of `paths`), as pointers into `paths`:
  /// the µ2Net seeds without a walk over the whole map at every visit.
  const std::vector<const Path*>& ordered_paths() const { return ordered_; }
  /// Where `task`'s path is in `ordered_paths`; `ordered_paths().size()` when it has none.
  size_t position(const std::string& task) const;

 private:
  void reindex();
  std::vector<const std::pair<const std::string, Path>*> entries_;
  std::vector<const Path*> ordered_;
};

/// The task a strategy learns now, and where it is in the run.
struct TaskContext {
  const streams::TaskData& task;
  /// Position of the task in the stream.
  int64_t task_index = 0;
  /// Which visit of the task this is, from 0.
  int64_t iteration = 0;
  /// The run seed.
  uint64_t seed = 1;
  /// Called after each candidate finished training.
  std::function<void(const CandidateRecord&)> on_candidate;
  /// Set when the run should stop: strategies check it between candidates and validations and
  /// raise `RunInterrupted`. May be null.
  const std::atomic<bool>* stop = nullptr;
  /// Every task of the stream in arrival order (`task` among them), for strategies that read
  /// the tasks learned before (replay); null when the caller has no stream.
  const std::vector<streams::TaskData>* stream = nullptr;

  /// Raises `RunInterrupted` when `stop` is set.
  void check_stop() const;
};

/// What learning one task produced: the path to commit and its new components.
struct TaskOutcome {
  Path path;
  /// Components to add to the store (owned by the task, not frozen yet).
  std::vector<Component> added;
  /// Every candidate trained, in order.
  std::vector<CandidateRecord> candidates;
  /// Wall seconds spent training candidates.
  double train_seconds = 0.0;
};

/// What every strategy gets: the architecture, the shared budget, its own options and the
/// trainer settings.
struct StrategyEnvironment {
  config::ArchitectureSpec architecture;
  /// The `[strategy]` table: the name, the per-task budget, batch size and scale factor.
  config::StrategySpec spec;
  /// The strategy's own options, read from its `[strategy.NAME]` table.
  std::shared_ptr<const StrategyOptions> options;
  /// True when the root's weights were never trained (`[root] source = "init"`, real
  /// training): its components are random initialisations.
  bool untrained_root = false;
  /// Settings of one candidate's training (steps: `options->candidate_steps`, by default
  /// `spec.task_steps` shared equally among the candidates of `options->plan()`).
  TrainSettings train;
  /// The cost and quality model when candidates train in simulation; null for real training.
  std::shared_ptr<const SimulationModel> simulation;
  /// What every candidate of the run trains with, built from `train` and `simulation`.
  std::shared_ptr<const CandidateTrainer> trainer;
  /// Makes the strategy (the registry entry that read `options`); null in an environment made
  /// by hand.
  std::unique_ptr<Strategy> (*make)(StrategyEnvironment env) = nullptr;

  /// What `scenario` gives: its architecture, its strategy's budget and options (read through
  /// the strategy registry, which raises `common::ConfigError` for a bad table) and trainer
  /// settings. The trainer's frozen-prefix cache is `cache`, or one of its own when null.
  static StrategyEnvironment of(const config::Scenario& scenario,
                                std::shared_ptr<PrefixCache> cache = nullptr);
  /// The same through `registry` instead of the built-in one.
  static StrategyEnvironment of(const config::Scenario& scenario,
                                std::shared_ptr<PrefixCache> cache,
                                const StrategyRegistry& registry);

  /// The options as the strategy's own struct; raises `std::logic_error` when they are not.
  template <class Options>
  const Options& options_as() const {
    const auto* o = dynamic_cast<const Options*>(options.get());
    if (o == nullptr)
      throw std::logic_error("strategy " + spec.name + ": options of another strategy");
    return *o;
  }
};

/// One visit of a task being learned, as batches of candidates.
///
/// `next` gives candidates that may train at once (anywhere, in any order); each comes back
/// through `record`; when `next` returns none, `finish` gives the path to commit. Results depend
/// only on what is recorded, never on who trained it or when.
class TaskLearner {
 public:
  virtual ~TaskLearner() = default;
  /// The next batch of candidates; empty when the visit is done. Every candidate of the
  /// previous batch must have been recorded.
  virtual std::vector<Candidate> next() = 0;
  /// Hands back a trained candidate; returns what happened to it.
  virtual CandidateRecord record(const Candidate& candidate, const TrainResult& result) = 0;
  /// `record`, with the candidate's training curve added: what runners call.
  CandidateRecord recorded(const Candidate& candidate, const TrainResult& result) {
    CandidateRecord r = record(candidate, result);
    r.curve = {result.validations, result.losses};
    return r;
  }
  /// The path to commit and its new components.
  virtual TaskOutcome finish() = 0;
};

/// A continual-learning strategy: how a task's path is found.
///
/// Every strategy spends the same budget per task: `[strategy] task_steps` training steps. A
/// strategy does not touch the store; the runner commits what its learner finishes with. A new
/// strategy is a folder under `model/strategies/` and an entry in the strategy registry.
class Strategy {
 public:
  explicit Strategy(StrategyEnvironment env) : env_(std::move(env)) {}
  virtual ~Strategy() = default;

  /// The name used in scenarios and results, e.g. "mu2net".
  virtual std::string name() const = 0;
  /// Starts learning `ctx.task` given what the run has built. The learner reads `state` (and
  /// `ctx.task`), which must outlive it and stay unchanged until it finishes.
  virtual std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) = 0;
  /// Trains a candidate with the environment's trainer (for real, or with the simulation model
  /// when the run simulates).
  TrainResult train(const Candidate& candidate, const streams::TaskData& task,
                    const TrainProgress& progress = {}) const;
  /// Steps one candidate of this strategy trains: the per-task budget shared equally among the
  /// candidates of `plan()`.
  int64_t candidate_steps() const { return env_.train.steps; }
  /// The path that serves `task` now. Default: the task's committed path.
  virtual Path serving_path(const RunState& state, const std::string& task) const;
  /// Generations and candidates one task visit trains: what the strategy's options say.
  VisitPlan plan() const { return env_.options->plan(); }
  /// Whether old tasks keep their exact predictions (every strategy but `sequential`).
  virtual bool immutable() const { return true; }
  /// Whether the strategy learns the whole stream at once at its first visit (`joint`,
  /// Mod-Squad's joint mode): an offline upper bound rather than a continual learner.
  virtual bool offline() const { return false; }
  /// The strategy's own state that a resumed run needs (µ2Net: children per parent path), as
  /// named counters. Default: none.
  virtual std::map<std::string, int64_t> counters() const { return {}; }
  /// The counters of one task (keys `TASK\n...`). Default: those of `counters` with its prefix.
  virtual std::map<std::string, int64_t> counters(const std::string& task) const;
  /// Restores what `counters` returned.
  virtual void restore_counters(const std::map<std::string, int64_t>&) {}

  const StrategyEnvironment& environment() const { return env_; }

 protected:
  /// A learner that trains `models` independent copies of one path (fresh components shared
  /// as they are; each copy trains its own), each for an equal share of the per-task budget from
  /// its own seed, and commits the one with the best validation (the first on ties). With one
  /// model, the baselines' single long training. Raises `std::invalid_argument` when `models`
  /// does not divide the budget.
  std::unique_ptr<TaskLearner> train_once(Path path,
                                          std::vector<std::shared_ptr<const Component>> components,
                                          const RunState& state, const TaskContext& ctx,
                                          int64_t models = 1) const;

  StrategyEnvironment env_;
};

}  // namespace evostream::model
