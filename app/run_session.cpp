#include "app/run_session.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "actors/actor_run.hpp"
#include "app/report_command.hpp"
#include "app/stop_signal.hpp"
#include "config/scenario_parser.hpp"
#include "model/run/stream_runner.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "storage/component_file.hpp"
#include "storage/json_fields.hpp"
#include "storage/results_writer.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

using Clock = std::chrono::steady_clock;

// The process's peak resident memory so far, in MB (VmHWM; 0 where /proc is missing).
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

}  // namespace

RunSession::RunSession(config::Scenario scenario, storage::RunDirectory dir, RunNetwork network,
                       storage::FaultInjection faults)
    : scenario_(std::move(scenario)),
      dir_(std::move(dir)),
      network_(std::move(network)),
      faults_(faults) {}

int RunSession::start(std::vector<model::Component> root, RunEvents& events) {
  return learn(std::move(root), nullptr, events);
}

int RunSession::resume(storage::LoadedRun loaded, RunEvents& events) {
  std::vector<model::Component> root = std::move(loaded.root);
  return learn(std::move(root), &loaded, events);
}

int RunSession::learn(std::vector<model::Component> root, const storage::LoadedRun* loaded,
                      RunEvents& events) {
  const config::Scenario& s = scenario_;
  // Candidates train in the actor run's trainers, which share one prefix cache.
  const model::StrategyEnvironment env = model::StrategyEnvironment::of(s);
  const auto strategy = model::make_strategy(env);

  streams::TaskBuilder builder(s);
  const auto all_tasks =
      std::make_shared<const std::vector<streams::TaskData>>(builder.build_all());
  const std::vector<streams::TaskData>& tasks = *all_tasks;
  storage::RunIdentity identity{s.name, strategy->name(), s.seed,
                                s.run.iterations * static_cast<int64_t>(tasks.size())};
  // Tasks in the stream: a served stream grows while it runs (on the gateway actor's thread).
  std::atomic<size_t> stream_size{tasks.size()};

  using Json = RunEvents::Json;
  const model::VisitPlan plan = strategy->plan();
  model::RunObserver observer;
  observer.task_started = [&](int64_t index, int64_t iteration, const streams::TaskData& t) {
    events.emit(Json{{"event", "task_started"},
                     {"task", t.name()},
                     {"index", index},
                     {"tasks", stream_size.load()},
                     {"iteration", iteration},
                     {"iterations", s.run.iterations},
                     {"classes", t.num_classes},
                     {"train", t.train.size()},
                     {"validation", t.validation.size()},
                     {"test", t.test.size()},
                     {"generations", plan.generations},
                     {"candidates", plan.candidates}});
  };
  observer.candidate_done = [&](const std::string& task, const model::CandidateRecord& r) {
    events.emit(Json{{"event", "candidate"},
                     {"task", task},
                     {"name", r.name},
                     {"parent", r.parent},
                     {"generation", r.generation},
                     {"child", r.child},
                     {"quality", r.quality},
                     {"score", r.score},
                     {"kept", r.kept},
                     {"changes", r.changes},
                     {"trained_params", r.trained_params},
                     {"seconds", r.seconds},
                     {"curve", RunEvents::curve(r.curve)}});
  };
  observer.task_committed = [&](const std::string& name,
                                const std::vector<std::pair<std::string, double>>& measured,
                                double average) {
    Json accuracies = Json::object();
    for (const auto& [task, accuracy] : measured)
      accuracies[task] = accuracy;
    events.emit(Json{{"event", "task_committed"},
                     {"task", name},
                     {"accuracies", accuracies},
                     {"average_accuracy", average}});
  };

  double snapshot_seconds = 0.0;
  int64_t snapshot_bytes = 0;
  observer.checkpoint = [&](const model::ProgressStep& progress,
                            const std::vector<model::Component>& added) {
    const auto t = Clock::now();
    storage::RunIdentity now = identity;
    now.events_total = s.run.iterations * static_cast<int64_t>(stream_size.load());
    dir_.write_snapshot(progress.events_done, s.root.architecture, added, now, progress, faults_);
    snapshot_seconds += std::chrono::duration<double>(Clock::now() - t).count();
    const auto bytes =
        static_cast<int64_t>(std::filesystem::file_size(dir_.snapshot_path(progress.events_done)));
    snapshot_bytes += bytes;
    events.emit(Json{{"event", "snapshot"},
                     {"task", progress.task.name},
                     {"sequence", progress.events_done},
                     {"path", progress.path.name},
                     {"components", progress.path.ids},
                     {"params_added", progress.task.params_added},
                     {"bytes", bytes}});
  };
  if (!loaded) {
    model::ProgressStep first;  // snapshot 0 names the tasks
    for (const auto& t : tasks)
      first.tasks.emplace_back(t.name(), t.num_classes);
    dir_.write_snapshot(0, s.root.architecture, root, identity, first, faults_);
  }
  model::StreamRunner runner(s, *strategy, std::move(root), observer);
  if (loaded) {
    runner.restore(loaded->progress, loaded->components);
  }
  Json started{
      {"event", "run_started"},
      {"dir", dir_.path()},
      {"scenario", s.name},
      {"strategy", strategy->name()},
      {"seed", s.seed},
      {"tasks", tasks.size()},
      {"events_total", identity.events_total},
      {"events_done", runner.progress().events_done},
      {"trainers", s.trainers.count},
      {"simulated", s.simulated()},
      {"unix_time",
       std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()}};
  if (loaded)
    started["resumed_from"] = loaded->sequence;
  events.emit(started);

  actors::ActorRunOptions options;
  options.trainers = s.trainers.count;
  options.trainer = env.trainer;
  options.listen = network_.listen;
  options.bind = network_.bind;
  options.credentials = network_.credentials;
  options.wait_workers = network_.wait_workers;
  options.worker_timeout = network_.worker_timeout;
  options.max_message = network_.max_message;
  options.on_refusal = [&](const std::string& why) { events.message("warning: " + why); };
  options.on_trainer_wait = [&](std::chrono::seconds wait) {
    events.emit(Json{{"event", "trainer_wait"}, {"seconds", wait.count()}});
  };
  options.scenario_text = network_.scenario_text;
  options.seed = s.seed;
  options.fast = network_.fast;
  options.on_wait = [&](const std::string& task, double seconds) {
    events.emit(Json{{"event", "waiting"}, {"task", task}, {"seconds", seconds}});
  };
  options.on_listen = [&](uint16_t port) {
    Json e{{"event", "listening"}, {"bind", network_.bind}, {"port", port}};
    if (network_.credentials)
      e["credentials"] = network_.credentials->path();
    events.emit(e);
  };
  if (bell_) {
    options.grow = [&](const std::vector<streams::TaskData>& current) {
      return grow(current, events, stream_size);
    };
    options.on_growth_error = [&](const std::string& why) {
      events.emit(Json{{"event", "growth_failed"}, {"reason", why}});
    };
  }
  const double evaluation_before = runner.progress().evaluation_seconds;
  const auto stream_start = Clock::now();
  // What the results were last written for (a served run writes them each time its stream is
  // learned; a complete run taken up is not written again).
  int64_t written = loaded ? loaded->progress.events_done : -1;
  actors::ActorRun* current_run = nullptr;
  // Writes the results, the matrix and the report, and reports the run's end (or interruption).
  auto conclude = [&](model::RunResults results) -> int {
    written = results.events_done;
    const double streaming_rss_mb = peak_rss_mb();  // before results and the report are built
    results.stream_seconds = std::chrono::duration<double>(Clock::now() - stream_start).count();
    results.snapshot_seconds = snapshot_seconds;
    results.snapshot_bytes = snapshot_bytes;
    // Snapshots are written by the snapshotter alongside, so they are not subtracted. Training
    // counts by the wall time some trainer was busy, not the trainers' summed seconds (which
    // exceed the wall time with several trainers). Simulated training seconds are virtual: the
    // simulated trainers' real work counts as orchestration.
    const double trained = results.simulated ? 0.0 : current_run->busy_seconds();
    results.orchestration_seconds =
        results.stream_seconds - trained - (results.evaluation_seconds - evaluation_before);
    if (current_run->requeued() > 0)
      events.emit(Json{{"event", "requeued"}, {"jobs", current_run->requeued()}});
    results.state_hash = model::run_state_hash(runner.state().store, runner.progress());
    storage::ResultsWriter::write(dir_.path() + "/results.json", results);
    storage::ResultsWriter::write_text(dir_.path() + "/accuracy_matrix.csv",
                                       storage::ResultsWriter::csv(results));

    const std::string report = ReportCommand::write(dir_.path());
    if (!results.complete) {
      events.emit(Json{{"event", "interrupted"},
                       {"dir", dir_.path()},
                       {"events_done", results.events_done},
                       {"events_total", results.events_total}});
      return kInterruptedStatus;
    }
    Json task_rows = Json::array();
    for (const auto& t : results.tasks) {
      task_rows.push_back(Json{{"name", t.name},
                               {"test_accuracy", t.test_accuracy},
                               {"forgetting", storage::JsonFields::optional_number(t.forgetting)},
                               {"accounted_params", t.accounted_params},
                               {"params_added", t.params_added},
                               {"train_seconds", t.train_seconds}});
    }
    const int64_t visits_here =
        std::max<int64_t>(1, results.events_done - (loaded ? loaded->progress.events_done : 0));
    Json finished{{"event", "run_finished"},
                  {"dir", dir_.path()},
                  {"strategy", results.strategy},
                  {"average_accuracy", results.average_accuracy},
                  {"bwt", results.bwt},
                  {"forgetting", results.forgetting},
                  {"max_forgetting", results.max_forgetting},
                  {"params_per_task", results.params_per_task},
                  {"total_params", results.total_params},
                  {"train_seconds", results.train_seconds},
                  {"evaluation_seconds", results.evaluation_seconds},
                  {"stream_seconds", results.stream_seconds},
                  {"snapshot_seconds", snapshot_seconds},
                  {"snapshot_bytes_per_task",
                   static_cast<double>(snapshot_bytes) / static_cast<double>(visits_here)},
                  {"orchestration_seconds", results.orchestration_seconds},
                  {"trainers", s.trainers.count},
                  {"simulated", results.simulated},
                  {"virtual_seconds", results.virtual_seconds},
                  {"streaming_peak_rss_mb", streaming_rss_mb},
                  {"state_hash", results.state_hash},
                  {"report", report},
                  {"tasks", task_rows}};
    if (results.task_inference_accuracy)
      finished["task_inference_accuracy"] = *results.task_inference_accuracy;
    if (results.inferred_average_accuracy)
      finished["inferred_average_accuracy"] = *results.inferred_average_accuracy;
    events.emit(finished);
    return 0;
  };
  if (bell_) {
    options.on_idle = [&](const model::RunResults& r) {
      if (r.events_done > written)
        conclude(r);
      events.emit(Json{{"event", "waiting_for_tasks"}, {"events_done", r.events_done}});
    };
  }
  actors::ActorRun actor_run(options);
  current_run = &actor_run;
  if (bell_)
    bell_->listen([&actor_run] { actor_run.arrive(); });
  // While the stream runs, Ctrl-C stops the trainers (the flag) and the coordinator (the
  // call); the results of what was committed are then written as for a finished run.
  bool stopped = false;
  model::RunResults results = [&] {
    StopSignal stop([&actor_run] { actor_run.stop(); });
    struct Unlisten {
      ArrivalBell* bell;
      ~Unlisten() {
        if (bell)
          bell->listen({});
      }
    } unlisten{bell_.get()};
    auto r = actor_run.run(runner, all_tasks, stop.flag());
    stopped = stop.flag()->load();
    return r;
  }();
  if (bell_ && results.complete && results.events_done == written)
    return kInterruptedStatus;  // stopped while waiting for tasks: all is written
  const int status = conclude(std::move(results));
  return bell_ && stopped ? kInterruptedStatus : status;
}

std::shared_ptr<const std::vector<streams::TaskData>> RunSession::grow(
    const std::vector<streams::TaskData>& current, RunEvents& events,
    std::atomic<size_t>& stream_size) const {
  // The scenario copy holds every task that arrived (the gateway writes it before its 202).
  const config::Scenario grown = config::ScenarioParser::parse_file(dir_.scenario_path());
  if (grown.tasks.size() <= current.size())
    return nullptr;
  streams::TaskBuilder builder(grown);
  auto next = std::make_shared<std::vector<streams::TaskData>>(current);
  std::vector<std::string> names;
  for (size_t j = current.size(); j < grown.tasks.size(); ++j) {
    const config::TaskSpec& spec = grown.tasks[j];
    try {
      next->push_back(grown.simulated() ? builder.describe(spec) : builder.build(spec));
    } catch (const std::exception& e) {
      throw std::runtime_error(
          fmt::format("task \"{}\" cannot join the stream: {}", spec.name, e.what()));
    }
    names.push_back(spec.name);
  }
  stream_size = next->size();
  events.emit(
      RunEvents::Json{{"event", "stream_grown"},
                      {"added", names},
                      {"tasks", next->size()},
                      {"events_total", grown.run.iterations * static_cast<int64_t>(next->size())}});
  return next;
}

}  // namespace evostream::app
