#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "app/arrival_bell.hpp"
#include "gateway/event_feed.hpp"
#include "gateway/http_server.hpp"
#include "gateway/serve_state.hpp"

namespace evostream::app {

struct ServedTask;

/// The gateway's routes over one run directory: what `evostream serve` answers.
///
/// ```
/// GET  /                       the dashboard (one self-contained page)
/// GET  /events                 the run's events as server-sent events (`id:` = their order)
/// GET  /status                 the run's phase, tasks by state, candidates, average accuracy
/// GET  /tasks                  every task's row (state, generation, candidates, accuracy, path)
/// GET  /tasks/NAME             one task's row                               404 unknown
/// GET  /metrics                Prometheus text
/// POST /tasks                  a task as JSON (the fields of a [[tasks]] entry) → 202
///                              400 bad JSON or field, 409 duplicate, 503 while the run starts
/// POST /tasks/NAME/predict     IDX bytes, or {"images": [...]} of 8-bit pixels → classes
///                              404 unknown or not learned, 400 bad images
/// POST /shutdown               stops the run cleanly (as Ctrl-C) and the gateway
/// ```
///
/// Every POST needs `Authorization: Bearer TOKEN` (401 otherwise). A task is written into the
/// run's scenario copy (synced and renamed) before its 202, so a crash after the answer loses
/// nothing: a resume learns it in its arrival order.
class GatewayRoutes {
 public:
  /// `run_dir` the run served, `token` the bearer token writes need; `on_shutdown` is called
  /// once, on the first `POST /shutdown`.
  GatewayRoutes(std::string run_dir, std::string token, std::function<void()> on_shutdown);
  ~GatewayRoutes();

  /// Answers one request (from any thread) and counts it in the state's metrics.
  gateway::HttpResponse handle(const gateway::HttpRequest& request);

  /// The run's state, fed by its events.
  gateway::ServeState& state() { return state_; }
  /// Folds one run event into the state and sends it to `/events`.
  void observe(const nlohmann::ordered_json& event);
  /// Puts the events already in `events_jsonl` (earlier sessions' events.jsonl; a missing file
  /// has none) into the feed, so that `/events` starts from the run's history.
  void replay_history(const std::string& events_jsonl);
  /// Ends every `/events` stream (before the server stops).
  void close_events() { feed_.close(); }
  /// Waits until a task arrives after the `seen`-th one or `stop` becomes true; returns the
  /// number of tasks that arrived so far.
  int64_t wait_for_arrival(int64_t seen, const std::function<bool()>& stop);
  /// Wakes `wait_for_arrival` (after a stop was asked).
  void wake();
  /// Whether writes are accepted (false until the run's directory holds its scenario).
  void set_accepting(bool accepting);
  /// Rung after each task is written into the scenario copy (the run learning the stream
  /// listens to it). Default: none.
  void set_bell(std::shared_ptr<ArrivalBell> bell);

 private:
  gateway::HttpResponse route(const gateway::HttpRequest& request, std::string& name);
  gateway::HttpResponse add_task(const gateway::HttpRequest& request);
  gateway::HttpResponse predict(const std::string& task, const gateway::HttpRequest& request);
  std::shared_ptr<const ServedTask> served(const std::string& task);

  std::string run_dir_;
  std::string token_;
  std::function<void()> on_shutdown_;
  gateway::ServeState state_;
  gateway::EventFeed feed_;
  std::mutex mutex_;  // the scenario copy, arrivals and the model cache
  std::condition_variable arrived_;
  int64_t arrivals_ = 0;
  bool accepting_ = false;
  bool shut_down_ = false;
  std::shared_ptr<ArrivalBell> bell_;
  // Tasks bound for prediction, with the commits counted when they were loaded (a strategy
  // that is not immutable changes old tasks' paths).
  std::map<std::string, std::pair<int64_t, std::shared_ptr<const ServedTask>>> served_;
};

}  // namespace evostream::app
