#include "app/run_session.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "actors/actor_run.hpp"
#include "model/stream_runner.hpp"
#include "storage/component_file.hpp"
#include "storage/results_writer.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> interrupted{false};

extern "C" void on_sigint(int) {
  interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// Crash tests: EVOSTREAM_KILL_IN_SNAPSHOT=N kills the process in the middle of writing
// snapshot N (after its components, before the flush and rename).
std::string kill_in_snapshot;

void kill_hook(const std::string& path) {
  if (!kill_in_snapshot.empty() && path.size() >= kill_in_snapshot.size() &&
      path.compare(path.size() - kill_in_snapshot.size(), kill_in_snapshot.size(),
                   kill_in_snapshot) == 0)
    std::raise(SIGKILL);
}

std::string percent(const std::optional<double>& v) {
  return v ? fmt::format("{:.2f}", 100.0 * *v + 0.0) : "-";
}

}  // namespace

RunSession::RunSession(streams::Scenario scenario, storage::RunDirectory dir, RunNetwork network)
    : scenario_(std::move(scenario)), dir_(std::move(dir)), network_(std::move(network)) {
  if (const char* n = std::getenv("EVOSTREAM_KILL_IN_SNAPSHOT")) {
    kill_in_snapshot = fmt::format("snapshot-{:06d}.h5", std::atoi(n));
    storage::ComponentFile::set_write_hook(kill_hook);
  }
}

int RunSession::start(std::vector<model::Component> root, std::ostream& out) {
  return learn(std::move(root), nullptr, out);
}

int RunSession::resume(storage::LoadedRun loaded, std::ostream& out) {
  std::vector<model::Component> root = std::move(loaded.root);
  return learn(std::move(root), &loaded, out);
}

int RunSession::learn(std::vector<model::Component> root, const storage::LoadedRun* loaded,
                      std::ostream& out) {
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  const streams::Scenario& s = scenario_;
  // Candidates train in trainer actors, each with its own prefix cache.
  const model::StrategyEnvironment env = model::StrategyEnvironment::of(s);
  const auto strategy = model::make_strategy(s.strategy.name, env);

  streams::TaskBuilder builder(s);
  const auto all_tasks =
      std::make_shared<const std::vector<streams::TaskData>>(builder.build_all());
  const std::vector<streams::TaskData>& tasks = *all_tasks;
  storage::RunIdentity identity{s.name, strategy->name(), s.seed,
                                s.strategy.iterations * static_cast<int64_t>(tasks.size())};

  model::RunObserver observer;
  observer.task_started = [&](int64_t index, int64_t iteration, const streams::TaskData& t) {
    out << fmt::format("task {}/{} {} ({} classes, {} train, {} validation, {} test)", index + 1,
                       tasks.size(), t.name(), t.num_classes, t.train.size(), t.validation.size(),
                       t.test.size());
    if (s.strategy.iterations > 1)
      out << fmt::format(", iteration {}/{}", iteration + 1, s.strategy.iterations);
    out << "\n";
    out.flush();
  };
  observer.candidate_done = [&](const std::string&, const model::CandidateRecord& r) {
    out << fmt::format(
        "  {:<28} {:<24} quality {:6.2f}%  score {:.4f}  {:>8} trained  {}  {:.1f} s\n", r.name,
        r.parent.empty() ? "" : "<- " + r.parent, 100.0 * r.quality, r.score, r.trained_params,
        r.kept ? "kept" : "dropped", r.seconds);
    out.flush();
  };
  observer.task_committed = [&](const std::string& name,
                                const std::vector<std::optional<double>>& row, double average) {
    std::string accs;
    for (const auto& v : row) {
      if (v)
        accs += " " + percent(v);
    }
    out << fmt::format("  committed {}: test accuracies{}; average {:.2f}%  [{:.0f} s]\n", name,
                       accs, 100.0 * average, elapsed());
    out.flush();
  };

  double snapshot_seconds = 0.0;
  int64_t snapshot_bytes = 0;
  observer.checkpoint = [&](const model::RunProgress& progress,
                            const std::vector<model::Component>& added) {
    const auto t = Clock::now();
    dir_.write_snapshot(progress.events_done, s.root.architecture, added, identity, progress);
    snapshot_seconds += std::chrono::duration<double>(Clock::now() - t).count();
    snapshot_bytes +=
        static_cast<int64_t>(std::filesystem::file_size(dir_.snapshot_path(progress.events_done)));
  };
  if (!loaded) {
    model::RunProgress first;  // snapshot 0 names the tasks
    for (const auto& t : tasks) {
      first.tasks.emplace_back();
      first.tasks.back().name = t.name();
      first.tasks.back().classes = t.num_classes;
    }
    dir_.write_snapshot(0, s.root.architecture, root, identity, first);
  }
  model::StreamRunner runner(s, *strategy, std::move(root), observer);
  if (loaded) {
    runner.restore(loaded->progress, loaded->components);
    out << fmt::format("resuming {} from snapshot {}: {} of {} task visits done\n", dir_.path(),
                       loaded->sequence, loaded->progress.events_done, identity.events_total);
  }

  interrupted.store(false);
  std::signal(SIGINT, on_sigint);
  actors::ActorRunOptions options;
  options.trainers = s.trainers.count;
  options.settings = env.train;
  options.listen = network_.listen;
  options.bind = network_.bind;
  options.wait_workers = network_.wait_workers;
  options.scenario_text = network_.scenario_text;
  options.seed = s.seed;
  options.fast = network_.fast;
  options.on_wait = [&](const std::string& task, double seconds) {
    out << fmt::format("waiting {:.1f} s for {} to arrive\n", seconds, task);
    out.flush();
  };
  options.on_listen = [&](uint16_t port) {
    out << fmt::format("listening for workers on {}:{} (evostream worker --connect {}:{})\n",
                       network_.bind, port, network_.bind, port);
    out.flush();
  };
  actors::ActorRun actor_run(options);
  const double train_before = runner.progress().train_seconds;
  const double evaluation_before = runner.progress().evaluation_seconds;
  const auto stream_start = Clock::now();
  model::RunResults results = actor_run.run(runner, all_tasks, &interrupted);
  results.stream_seconds = std::chrono::duration<double>(Clock::now() - stream_start).count();
  results.snapshot_seconds = snapshot_seconds;
  results.snapshot_bytes = snapshot_bytes;
  results.orchestration_seconds = results.stream_seconds - snapshot_seconds -
                                  (results.train_seconds - train_before) -
                                  (results.evaluation_seconds - evaluation_before);
  if (actor_run.requeued() > 0)
    out << fmt::format("{} job(s) ran again after their trainer died\n", actor_run.requeued());
  std::signal(SIGINT, SIG_DFL);
  storage::ResultsWriter::write(dir_.path() + "/results.json", results);

  if (!results.complete) {
    out << fmt::format(
        "\ninterrupted after {} of {} task visits; the last snapshot is complete.\n"
        "continue with: evostream resume {}\n",
        results.events_done, results.events_total, dir_.path());
    return 0;
  }
  out << fmt::format("\n{:<22} {:>8} {:>9} {:>12} {:>10} {:>9}\n", "task", "test %", "forget",
                     "accounted", "added", "train s");
  for (const auto& t : results.tasks) {
    out << fmt::format("{:<22} {:>8.2f} {:>9} {:>12.0f} {:>10} {:>9.1f}\n", t.name,
                       100.0 * t.test_accuracy, percent(t.forgetting), t.accounted_params,
                       t.params_added, t.train_seconds);
  }
  out << fmt::format(
      "\n{}: average accuracy {:.2f}%, BWT {:+.2f} points, forgetting {:.2f} (max-based "
      "{:.2f}), {:.0f} params per task, {} total; {:.0f} s training, {:.0f} s evaluating\n",
      results.strategy, 100.0 * results.average_accuracy, 100.0 * results.bwt + 0.0,
      100.0 * results.forgetting + 0.0, 100.0 * results.max_forgetting + 0.0,
      results.params_per_task, results.total_params, results.train_seconds,
      results.evaluation_seconds);
  const double work = results.stream_seconds > 0 ? results.stream_seconds : 1.0;
  out << fmt::format(
      "this process: {:.1f} s streaming, of which snapshots {:.2f} s ({:.1f}%, {:.0f} kB per "
      "task) and orchestration {:.2f} s ({:.1f}%); {} trainer(s)\n",
      results.stream_seconds, snapshot_seconds, 100.0 * snapshot_seconds / work,
      static_cast<double>(snapshot_bytes) / 1000.0 /
          std::max<double>(1.0, static_cast<double>(results.events_done -
                                                    (loaded ? loaded->progress.events_done : 0))),
      results.orchestration_seconds, 100.0 * results.orchestration_seconds / work,
      s.trainers.count);
  out << fmt::format("state-hash: {}\nresults written to {}/results.json\n",
                     model::run_state_hash(runner.state().store, runner.progress()), dir_.path());
  return 0;
}

}  // namespace evostream::app
