#include "app/serve_command.hpp"

#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>

#include "app/gateway_routes.hpp"
#include "app/resume_command.hpp"
#include "app/run_session.hpp"
#include "app/stop_signal.hpp"
#include "storage/atomic_file.hpp"
#include "storage/run_directory.hpp"
#include "storage/run_lock.hpp"
#include "streams/scenario_parser.hpp"

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

// The tasks the run's scenario names and what its snapshots say was learned, into `state`;
// returns whether task visits are left to learn.
bool refresh(const std::string& dir, gateway::ServeState& state) {
  const storage::RunDirectory run(dir);
  const streams::Scenario s = streams::ScenarioParser::parse_file(run.scenario_path());
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
  return loaded.progress.events_done < s.run.iterations * static_cast<int64_t>(s.tasks.size());
}

}  // namespace

int ServeCommand::run(ProgressView& view, std::ostream& out, std::ostream& err) const {
  const bool fresh = !storage::RunDirectory(options_.target).is_run();
  RunOptions run_options = options_.run;
  std::string dir = options_.target;
  if (fresh) {
    if (!fs::is_regular_file(options_.target)) {
      throw std::invalid_argument(fmt::format(
          "{}: expected a run directory or a scenario file, found neither", options_.target));
    }
    run_options.scenario = options_.target;
    if (run_options.out.empty()) {
      const auto s = streams::ScenarioParser::parse_file(options_.target, run_options.sets);
      run_options.out = default_run_dir(s.name, run_options.strategy);
    }
    dir = run_options.out;
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
    StopSignal::raise_active();  // a session learning, or the wait below
    routes.wake();
  });
  gateway::HttpServer server(options_.bind, options_.port, options_.limits,
                             [&](const gateway::HttpRequest& r) { return routes.handle(r); });
  auto accept_writes = [&] {
    storage::write_atomically(dir + "/token", (token + "\n").data(), token.size() + 1, 0600);
    routes.set_accepting(true);
  };
  bool pending = true;
  if (!fresh) {
    routes.replay_history(dir + "/events.jsonl");
    pending = refresh(dir, routes.state());
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
  while (!shutdown) {
    if (pending) {
      routes.state().set_phase("learning");
      RunEvents events(view);
      events.set_listener([&](const RunEvents::Json& e) {
        if (e.value("event", "") == "run_started" && first) {
          // The run directory holds its scenario copy and snapshot 0 now.
          refresh(dir, routes.state());
          accept_writes();
        }
        routes.observe(e);
      });
      try {
        status = first ? RunCommand(run_options).run(events) : ResumeCommand(dir).run(events, err);
      } catch (const std::exception& e) {
        // The run cannot go on (a task's dataset is missing, a disk is full): say why and
        // keep serving what was learned; a new task tries again.
        events.close();
        err << "evostream: " << e.what() << "\n";
        if (first)
          return 1;
        status = 1;
        routes.state().set_phase("failed");
      }
      first = false;
      if (!held)
        held.emplace(dir);
      if (status == kInterruptedStatus)
        break;
    }
    if (status == 0)
      routes.state().set_phase("waiting");
    {
      // Ctrl-C while waiting stops the gateway.
      StopSignal stop([&] {
        shutdown = true;
        routes.wake();
      });
      seen = routes.wait_for_arrival(seen, [&] { return shutdown.load(); });
    }
    pending = !shutdown && refresh(dir, routes.state());
  }
  routes.state().set_phase("stopping");
  routes.close_events();
  if (shutdown)
    err << "evostream: serve stopped by " << (by_request ? "POST /shutdown" : "Ctrl-C") << "\n";
  if (!shutdown || status == 1)
    return status;
  return by_request ? 0 : kInterruptedStatus;
}

}  // namespace evostream::app
