#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace evostream::gateway {

/// What a served run is doing, told by its events (those of `events.jsonl`): each task's state,
/// the run's counters and the gateway's own request counts and latencies, as JSON for
/// `/status` and `/tasks` and as Prometheus text for `/metrics`. Safe to call from any thread.
class ServeState {
 public:
  using Json = nlohmann::ordered_json;

  /// A task's place in the run: `queued` (in the stream, not begun), `evolving` (its visit runs)
  /// or `committed` (its commit measured and its snapshot written, in either order: only then
  /// can its path be loaded).
  struct Task {
    std::string name;
    std::string state = "queued";
    /// While evolving: the latest generation and the candidates trained in this visit.
    int64_t generation = 0;
    int64_t candidates = 0;
    /// Once committed: the test accuracy measured last, the path, its components and the
    /// parameters the task added.
    std::optional<double> accuracy;
    std::string path;
    std::vector<std::string> components;
    int64_t params_added = 0;
    /// This visit's `task_committed` and `snapshot` events seen (reset by `task_started`).
    bool measured = false;
    bool snapshotted = false;
  };

  /// A task of the stream (from the scenario, or added by a request), in stream order; a name
  /// it has already is left as it is.
  void add_task(const std::string& name);
  /// Marks `name` committed with what the run recorded (a run resumed by the gateway).
  void set_committed(const Task& task);
  /// Folds one run event in (`task_started`, `candidate`, `task_committed`, `snapshot`,
  /// `run_started`, `run_finished`, `interrupted`, `stream_grown`, `growth_failed`); others are
  /// counted only.
  void observe(const Json& event);
  /// Counts a request answered with `status` after `seconds`, under `route` (e.g.
  /// `POST /tasks/{name}/predict`).
  void request(const std::string& route, int status, double seconds);
  /// What the run is doing now: `learning` (tasks are learned), `waiting` (every task is
  /// learned; the run waits for more), `failed` (the run stopped on an error; a new task
  /// tries again) or `stopping`.
  void set_phase(const std::string& phase);
  /// The datasets the run's scenario names (those a new task may use), for `/status`.
  void set_datasets(std::vector<std::string> datasets);

  /// Task visits committed since the gateway started.
  int64_t commits() const;
  /// Whether the stream has a task `name`.
  bool has(const std::string& name) const;
  /// One task's row, none for a task the stream does not have.
  std::optional<Json> task(const std::string& name) const;
  /// Every task's row, in stream order.
  Json tasks() const;
  /// The run's summary: phase, tasks by state, candidates trained, average accuracy, the
  /// parameters the learned tasks added, the trainers' busy share while learning (candidate
  /// seconds over learning seconds times trainers; none before a candidate), the datasets,
  /// and `error`: why the tasks that arrived last could not join the stream, until some do.
  Json status() const;
  /// Counters and the request latency histogram in Prometheus' text format (version 0.0.4).
  std::string metrics() const;

 private:
  static Json row(const Task& t);
  // The mean test accuracy of the committed tasks, none before one (the caller holds the
  // mutex): what a commit's `average_accuracy` says, and what a resumed run's rows give.
  std::optional<double> average() const;
  // The trainers' busy share so far, none before a candidate (the caller holds the mutex).
  std::optional<double> busy_share() const;
  // Tasks by state (the caller holds the mutex).
  std::map<std::string, int64_t> counts() const;
  Task* find(const std::string& name);
  // Marks `t` committed once both its commit events came (the caller holds the mutex).
  void settle(Task& t);

  mutable std::mutex mutex_;
  std::vector<Task> tasks_;
  std::map<std::string, size_t> index_;
  std::string phase_ = "starting";
  std::string current_;
  int64_t candidates_ = 0;
  int64_t commits_ = 0;
  double candidate_seconds_ = 0.0;
  int64_t trainers_ = 1;
  // Time spent in the `learning` phase, and when the current one began.
  double learning_seconds_ = 0.0;
  std::chrono::steady_clock::time_point learning_since_;
  std::vector<std::string> datasets_;
  std::string error_;
  int64_t events_ = 0;
  // Requests by route and status, and their latencies (seconds) in cumulative buckets.
  std::map<std::pair<std::string, int>, int64_t> requests_;
  std::vector<int64_t> latency_buckets_;
  int64_t latency_count_ = 0;
  double latency_sum_ = 0.0;
};

}  // namespace evostream::gateway
