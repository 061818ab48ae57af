#include "app/serve_command.hpp"

#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>

#include "app/arrival_bell.hpp"
#include "app/gateway_routes.hpp"
#include "app/resume_command.hpp"
#include "app/run_session.hpp"
#include "app/stop_signal.hpp"
#include "config/scenario_parser.hpp"
#include "storage/atomic_file.hpp"
#include "storage/run_directory.hpp"
#include "storage/run_lock.hpp"

namespace evostream::app {

namespace {

namespace fs = std::filesystem;

// 32 random bytes from the system's entropy source, as hex.
std::string random_token() {
  std::random_device entropy("/dev/urandom");
  std::string out;
  for (int i = 0; i < 8; ++i)
    out += fmt::format("{:08x}", entropy());
  return out;
}

// The tasks the run's scenario names and what its snapshots say was learned, into `state`.
void refresh(const std::string& dir, gateway::ServeState& state) {
  const storage::RunDirectory run(dir);
  const config::Scenario s = config::ScenarioParser::parse_file(run.scenario_path());
  for (const auto& t : s.tasks)
    state.add_task(t.name);
  std::vector<std::string> datasets;
  for (const auto& d : s.datasets)
    datasets.push_back(d.name);
  state.set_datasets(std::move(datasets));
  const storage::LoadedRun loaded = run.load(false);
  for (const auto& t : loaded.progress.tasks) {
    const auto path = loaded.progress.paths.find(t.name);
    if (path == loaded.progress.paths.end())
      continue;
    gateway::ServeState::Task row;
    row.name = t.name;
    row.accuracy = t.test_accuracy;
    row.path = path->second.name;
    row.components = path->second.ids;
    row.params_added = t.params_added;
    state.set_committed(row);
  }
}

// A simulated stream's trainers only simulate training: there is nothing to serve.
void refuse_simulated(const config::Scenario& s, const std::string& where) {
  if (s.simulated()) {
    throw std::invalid_argument(fmt::format(
        "{}: a simulated stream ([trainers] kind = \"simulated\") trains no model to predict "
        "with and cannot be served: run it with `evostream run`",
        where));
  }
}

}  // namespace

int ServeCommand::run(ProgressView& view, std::ostream& out, std::ostream& err) const {
  const bool fresh = !storage::RunDirectory(options_.target).is_run();
  RunOptions run_options = options_.run;
  std::string dir = options_.target;
  if (run_options.listen) {
    throw std::invalid_argument(
        "--listen: a served run grows its stream while it runs, and remote trainers hold the "
        "stream they joined with: serve with the run's own trainers");
  }
  if (fresh) {
    if (!fs::is_regular_file(options_.target)) {
      throw std::invalid_argument(fmt::format(
          "{}: expected a run directory or a scenario file, found neither", options_.target));
    }
    run_options.scenario = options_.target;
    const auto s = config::ScenarioParser::parse_file(options_.target, run_options.sets);
    refuse_simulated(s, options_.target);
    if (run_options.out.empty())
      run_options.out = default_run_dir(s.name, run_options.strategy);
    dir = run_options.out;
  } else {
    refuse_simulated(config::ScenarioParser::parse_file(storage::RunDirectory(dir).scenario_path()),
                     dir);
  }
  // Held from start to end (for a new run, from when its first session made the directory):
  // between sessions, no other process writes the run either.
  std::optional<storage::RunLock> held;
  if (!fresh)
    held.emplace(dir);
  const std::string token = random_token();
  std::atomic<bool> shutdown{false};
  std::atomic<bool> by_request{false};
  GatewayRoutes routes(dir, token, [&] {
    by_request = true;
    shutdown = true;
    StopSignal::raise_active();  // the run learning or waiting for tasks, or the wait below
    routes.wake();
  });
  // Tasks posted while the stream runs go into it at once (the run's gateway actor).
  const auto bell = std::make_shared<ArrivalBell>();
  routes.set_bell(bell);
  run_options.bell = bell;
  gateway::HttpServer server(options_.bind, options_.port, options_.limits,
                             [&](const gateway::HttpRequest& r) { return routes.handle(r); });
  auto accept_writes = [&] {
    storage::write_atomically(dir + "/token", (token + "\n").data(), token.size() + 1, 0600);
    routes.set_accepting(true);
  };
  if (!fresh) {
    routes.replay_history(dir + "/events.jsonl");
    refresh(dir, routes.state());
    accept_writes();
  }
  // Printed once an existing run takes writes (a new run takes them once its snapshot 0 is
  // written: until then POST /tasks is answered 503).
  out << fmt::format(
             "evostream: serving {} on http://{}:{} (writes need the token {}, kept in "
             "{}/token)\n",
             dir, options_.bind, server.port(), token, dir)
      << fmt::format("evostream: dashboard at http://{}:{}/#token={}\n", options_.bind,
                     server.port(), token)
      << std::flush;
  int64_t seen = 0;
  int status = 0;
  bool first = fresh;
  // One session learns the stream and stays up, growing it, until a stop; another starts only
  // after a session failed (a task's dataset is missing, a disk is full), once a task arrives.
  while (!shutdown) {
    routes.state().set_phase("learning");
    RunEvents events(view);
    events.set_listener([&](const RunEvents::Json& e) {
      const std::string kind = e.value("event", "");
      if (kind == "run_started" && first) {
        // The run directory holds its scenario copy and snapshot 0 now.
        refresh(dir, routes.state());
        accept_writes();
      } else if (kind == "task_started") {
        routes.state().set_phase("learning");
      } else if (kind == "waiting_for_tasks") {
        routes.state().set_phase("waiting");
      }
      routes.observe(e);
    });
    try {
      if (first) {
        status = RunCommand(run_options).run(events);
      } else {
        ResumeCommand resume(dir);
        resume.serve(bell);
        status = resume.run(events, err);
      }
    } catch (const std::exception& e) {
      // Say why and keep serving what was learned; a new task tries again.
      events.close();
      err << "evostream: " << e.what() << "\n";
      if (first)
        return 1;
      status = 1;
    }
    first = false;
    if (!held)
      held.emplace(dir);
    if (status == kInterruptedStatus)
      break;
    routes.state().set_phase("failed");
    {
      // Ctrl-C while waiting stops the gateway.
      StopSignal stop([&] {
        shutdown = true;
        routes.wake();
      });
      seen = routes.wait_for_arrival(seen, [&] { return shutdown.load(); });
    }
    if (!shutdown)
      refresh(dir, routes.state());
  }
  routes.state().set_phase("stopping");
  routes.close_events();
  if (shutdown || status == kInterruptedStatus)
    err << "evostream: serve stopped by " << (by_request ? "POST /shutdown" : "Ctrl-C") << "\n";
  if (status == 1)
    return status;
  return by_request ? 0 : kInterruptedStatus;
}

}  // namespace evostream::app
