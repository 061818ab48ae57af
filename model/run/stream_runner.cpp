#include "model/run/stream_runner.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <set>
#include <type_traits>

#include "model/core/run_interrupted.hpp"
#include "model/run/results_builder.hpp"

namespace evostream::model {

namespace {

using Clock = std::chrono::steady_clock;

// Components of the store re-hashed after each commit, besides as many as it added.
constexpr int64_t kAuditPerCommit = 64;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

StreamRunner::StreamRunner(const config::Scenario& scenario, Strategy& strategy,
                           std::vector<Component> root, RunObserver observer)
    : scenario_(scenario), strategy_(strategy), observer_(std::move(observer)) {
  state_.root.name = "root";
  state_.root.task = "root";
  for (const auto& c : root) {
    state_.root.ids.push_back(c.id());
    if (c.kind() != ComponentKind::kHead)
      state_.root_params += static_cast<double>(c.num_params());
  }
  state_.store.commit("root", std::move(root));
}

void StreamRunner::restore(const RunProgress& progress, std::vector<Component> components) {
  // Commit in batches of one owner, in the order they were committed.
  size_t begin = 0;
  while (begin < components.size()) {
    const std::string owner = components[begin].owner();
    size_t end = begin;
    std::vector<Component> batch;
    while (end < components.size() && components[end].owner() == owner)
      batch.push_back(std::move(components[end++]));
    state_.store.commit(owner, std::move(batch));
    begin = end;
  }
  state_.store.verify();
  progress_ = progress;
  named_ = progress.tasks.size();
  evaluator_.restore(progress);
  state_.set_paths(progress.paths);
  state_.last_task = progress.last_task;
  strategy_.restore_counters(progress.strategy_counters);
  for (const auto& [task, path] : state_.paths)
    state_.usage.set_path(task, strategy_.serving_path(state_, task).ids);
}

int64_t StreamRunner::events_total(const std::vector<streams::TaskData>& tasks) const {
  return scenario_.run.iterations * static_cast<int64_t>(tasks.size());
}

void StreamRunner::report(const std::string& task, const CandidateRecord& record) const {
  if (observer_.candidate_done)
    observer_.candidate_done(task, record);
}

void StreamRunner::prepare(const std::vector<streams::TaskData>& tasks) {
  evaluator_.prepare(tasks.size());
  if (progress_.tasks.size() > tasks.size()) {
    throw std::logic_error(
        fmt::format("the run has {} tasks and the stream {}: a stream only grows",
                    progress_.tasks.size(), tasks.size()));
  }
  // A fresh run's snapshot 0 names its tasks; tasks added to a grown run are named by the
  // next commit's snapshot.
  if (progress_.tasks.empty())
    named_ = tasks.size();
  for (size_t j = progress_.tasks.size(); j < tasks.size(); ++j) {
    TaskResult r;
    r.name = tasks[j].name();
    r.classes = tasks[j].num_classes;
    progress_.tasks.push_back(std::move(r));
  }
}

TaskVisit StreamRunner::begin(const std::vector<streams::TaskData>& tasks, int64_t event,
                              const std::atomic<bool>* stop) {
  prepare(tasks);
  const int64_t n = static_cast<int64_t>(tasks.size());
  const size_t index = static_cast<size_t>(event % n);
  const int64_t iteration = event / n;
  const streams::TaskData& task = tasks[index];
  const int64_t from = std::max<int64_t>(0, event - concurrent_tasks() + 1);
  if (from > progress_.events_done || event < progress_.events_done) {
    throw std::logic_error(fmt::format(
        "task visit {} cannot begin: it evolves from the first {} commits, and {} are done", event,
        from, progress_.events_done));
  }
  TaskVisit visit;
  visit.event = event;
  visit.started = Clock::now();
  if (from == progress_.events_done && concurrent_tasks() == 1) {
    // One visit at a time: nothing commits while it evolves, so it reads the state itself.
    visit.state = std::shared_ptr<const RunState>(std::shared_ptr<const RunState>(), &state_);
  } else {
    visit.state = std::make_shared<const RunState>(state_as_of(tasks, from));
  }
  visit.context = std::make_unique<TaskContext>(
      TaskContext{task, static_cast<int64_t>(index), iteration, scenario_.seed, {}, stop, &tasks});
  visit.learner = strategy_.start(*visit.state, *visit.context);
  return visit;
}

RunState StreamRunner::state_as_of(const std::vector<streams::TaskData>& tasks,
                                   int64_t committed) const {
  if (committed == progress_.events_done)
    return state_;
  // Each task is visited once (concurrency requires iterations = 1), so the first `committed`
  // visits committed exactly the components and paths of the tasks they learned.
  RunState s;
  s.root = state_.root;
  s.root_params = state_.root_params;
  std::set<std::string> owners{"root"};
  for (int64_t i = 0; i < committed; ++i) {
    const std::string& name = tasks[static_cast<size_t>(progress_.row_learned[i])].name();
    owners.insert(name);
    s.set_path(name, state_.paths.at(name));
    s.last_task = name;
  }
  s.store = state_.store.subset(owners);
  for (const auto& [name, path] : s.paths)
    s.usage.set_path(name, strategy_.serving_path(s, name).ids);
  return s;
}

CommitRecord StreamRunner::commit(const std::vector<streams::TaskData>& tasks, TaskVisit& visit) {
  const int64_t event = visit.event;
  const size_t index = static_cast<size_t>(event % static_cast<int64_t>(tasks.size()));
  const streams::TaskData& task = tasks[index];
  TaskResult& result = progress_.tasks[index];
  TaskOutcome outcome = visit.learner->finish();
  visit.learner.reset();

  CommitRecord record;
  record.task = task.name();
  record.added = outcome.added;  // shares tensors; for the snapshot
  for (const auto& c : outcome.added)
    result.params_added += c.num_params();
  const int64_t added_count = static_cast<int64_t>(outcome.added.size());
  state_.store.commit(task.name(), std::move(outcome.added));
  // Immutability audit: a rotating share of the store after every commit (each component at
  // least every ⌈size / 64⌉ commits), all of it at the end of the stream.
  if (event + 1 == events_total(tasks))
    state_.store.verify();
  else
    state_.store.verify_next(kAuditPerCommit + added_count);
  state_.set_path(task.name(), outcome.path);
  state_.last_task = task.name();
  if (strategy_.immutable()) {
    // Only this task's serving path changed.
    state_.usage.set_path(task.name(), strategy_.serving_path(state_, task.name()).ids);
  } else {
    for (const auto& [name, path] : state_.paths)
      state_.usage.set_path(name, strategy_.serving_path(state_, name).ids);
  }
  result.name = task.name();
  result.classes = task.num_classes;
  result.validation_accuracy = outcome.path.quality;
  result.score = outcome.path.score;
  result.train_seconds += outcome.train_seconds;
  result.candidates += static_cast<int64_t>(outcome.candidates.size());
  progress_.train_seconds += outcome.train_seconds;

  // One row of the matrix: the tasks whose serving path changed (with immutable strategies,
  // the one committed; otherwise every learned task), and at the end of the stream every task,
  // checking that each still predicts what it did when committed.
  const auto t_eval = Clock::now();
  const bool last_visit = event + 1 == events_total(tasks);
  ProgressStep& step = record.step;
  auto measure = [&](size_t j) {
    evaluator_.measure(state_, strategy_, tasks, j, index, progress_, step);
  };
  if (strategy_.immutable() && !last_visit) {
    measure(index);
  } else {
    for (size_t j = 0; j < tasks.size(); ++j) {
      if (state_.paths.count(tasks[j].name()))
        measure(j);
    }
  }
  progress_.evaluation_seconds += since(t_eval);
  progress_.row_learned.push_back(static_cast<int64_t>(index));
  progress_.rows.push_back(step.entries);
  progress_.events_done = event + 1;
  progress_.paths[task.name()] = outcome.path;
  progress_.last_task = state_.last_task;
  // Only this task's counters changed.
  const std::string prefix = task.name() + '\n';
  auto first = progress_.strategy_counters.lower_bound(prefix);
  auto last = first;
  while (last != progress_.strategy_counters.end() &&
         last->first.compare(0, prefix.size(), prefix) == 0)
    ++last;
  progress_.strategy_counters.erase(first, last);
  step.counters = strategy_.counters(task.name());
  progress_.strategy_counters.insert(step.counters.begin(), step.counters.end());
  progress_.wall_seconds += since(visit.started);

  for (; named_ < progress_.tasks.size(); ++named_)
    step.tasks.emplace_back(progress_.tasks[named_].name, progress_.tasks[named_].classes);
  step.events_done = progress_.events_done;
  step.train_seconds = progress_.train_seconds;
  step.evaluation_seconds = progress_.evaluation_seconds;
  step.wall_seconds = progress_.wall_seconds;
  step.learned = static_cast<int64_t>(index);
  step.task = result;
  step.path = outcome.path;
  for (const auto& e : step.entries)
    record.measured.emplace_back(tasks[static_cast<size_t>(e.task)].name(), e.accuracy);
  record.average_accuracy = evaluator_.average();
  return record;
}

void StreamRunner::notify(const CommitRecord& record) const {
  if (observer_.task_committed)
    observer_.task_committed(record.task, record.measured, record.average_accuracy);
  if (observer_.checkpoint)
    observer_.checkpoint(record.step, record.added);
}

void StreamRunner::announce(const std::vector<streams::TaskData>& tasks, int64_t event) const {
  if (!observer_.task_started)
    return;
  const int64_t n = static_cast<int64_t>(tasks.size());
  observer_.task_started(event % n, event / n, tasks[static_cast<size_t>(event % n)]);
}

RunResults StreamRunner::run(const std::vector<streams::TaskData>& tasks,
                             const std::atomic<bool>* stop) {
  prepare(tasks);
  try {
    for (int64_t e = progress_.events_done; e < events_total(tasks); ++e) {
      if (stop && stop->load())
        throw RunInterrupted();
      TaskVisit visit = begin(tasks, e, stop);
      announce(tasks, e);
      const TaskContext& ctx = *visit.context;
      for (auto batch = visit.learner->next(); !batch.empty(); batch = visit.learner->next()) {
        for (const Candidate& c : batch) {
          ctx.check_stop();
          const TrainResult r =
              strategy_.train(c, ctx.task, [&](int64_t, int64_t, double) { ctx.check_stop(); });
          report(ctx.task.name(), visit.learner->recorded(c, r));
        }
      }
      notify(commit(tasks, visit));
    }
  } catch (const RunInterrupted&) {
    // The task in progress is abandoned; everything committed stays.
  }
  return results(tasks);
}

RunResults StreamRunner::results(const std::vector<streams::TaskData>& tasks) const {
  return build_results(scenario_, strategy_, state_, progress_, tasks);
}

}  // namespace evostream::model
