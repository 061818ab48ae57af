#include "actors/actor_run.hpp"

#include <fmt/format.h>

#include <caf/io/all.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

#include "actors/evolver_actor.hpp"
#include "actors/messages.hpp"
#include "actors/parameter_owner.hpp"
#include "actors/recorder.hpp"
#include "actors/snapshotter.hpp"
#include "actors/stream_source.hpp"
#include "actors/system_config.hpp"
#include "actors/trainer_actor.hpp"
#include "actors/trainer_pool.hpp"
#include "model/virtual_schedule.hpp"

namespace evostream::actors {

namespace {

struct PoolStatus {
  int64_t alive = 0;
  int64_t idle = 0;
  int64_t queued = 0;
  int64_t requeued = 0;
};

PoolStatus status_of(caf::scoped_actor& self, const caf::actor& pool) {
  PoolStatus s;
  self->request(pool, caf::infinite, status_atom_v)
      .receive(
          [&](int64_t alive, int64_t idle, int64_t queued, int64_t requeued) {
            s = {alive, idle, queued, requeued};
          },
          [&](caf::error&) {});
  return s;
}

}  // namespace

ActorRun::ActorRun(ActorRunOptions options) : options_(std::move(options)) {
  if (!options_.trainer)
    throw std::invalid_argument("trainer: expected the candidate trainer of the run, found none");
  if (options_.trainers < 0 || (options_.trainers == 0 && options_.wait_workers == 0)) {
    throw std::invalid_argument(
        fmt::format("trainers: expected at least 1 (or remote workers to wait for), found {}",
                    options_.trainers));
  }
}

model::RunResults ActorRun::run(model::StreamRunner& runner,
                                std::shared_ptr<const std::vector<streams::TaskData>> tasks,
                                const std::atomic<bool>* stop) {
  caf::actor_system_config cfg;
  configure_system(cfg);
  caf::actor_system system{cfg};
  std::vector<caf::actor> trainers;
  // Local trainers share one prefix cache: a prefix is computed once, whoever needs it first.
  TrainerSetup setup;
  setup.tasks = tasks;
  setup.trainer = options_.trainer;
  setup.stop = stop;
  for (int64_t i = 0; i < options_.trainers; ++i)
    trainers.push_back(system.spawn<caf::detached>(trainer_actor, setup));
  // Orders each batch's jobs, longest expected first.
  const model::CandidateTrainer& estimator = *options_.trainer;
  const bool simulated = options_.trainer->simulated();
  const caf::actor pool =
      system.spawn(trainer_pool, trainers, WorkerOffer{options_.scenario_text, options_.seed});
  caf::scoped_actor self{system};
  auto shutdown = [&] {
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    for (const auto& t : trainers)
      self->send_exit(t, caf::exit_reason::user_shutdown);
  };

  if (options_.listen) {
    auto port = system.middleman().publish(pool, *options_.listen, options_.bind.c_str(), true);
    if (!port) {
      shutdown();
      throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", options_.bind,
                                           *options_.listen, system.render(port.error())));
    }
    if (options_.on_listen)
      options_.on_listen(*port);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (status_of(self, pool).alive < options_.trainers + options_.wait_workers) {
    if (std::chrono::steady_clock::now() > deadline || (stop && stop->load())) {
      shutdown();
      throw std::runtime_error(fmt::format("{} worker(s) awaited, {} joined within two minutes",
                                           options_.wait_workers,
                                           status_of(self, pool).alive - options_.trainers));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  // The observer's calls go to the recorder, its checkpoints to the snapshotter; both run them
  // in order while the run goes on. However the run ends, the runner gets its observer back.
  const model::RunObserver original = runner.replace_observer({});
  struct Restore {
    model::StreamRunner* runner;
    const model::RunObserver& observer;
    ~Restore() { runner->replace_observer(observer); }
  } restore{&runner, original};
  const caf::actor record = system.spawn<caf::detached>(recorder);
  caf::actor writer;
  if (original.checkpoint)
    writer = system.spawn<caf::detached>(snapshotter, original.checkpoint);
  {
    model::RunObserver forward;
    forward.task_started = [&original, record](int64_t index, int64_t iteration,
                                               const streams::TaskData& task) {
      if (original.task_started)
        caf::anon_send(record, observer_call{[&original, index, iteration, t = &task] {
                         original.task_started(index, iteration, *t);
                       }});
    };
    forward.candidate_done = [&original, record](const std::string& task,
                                                 const model::CandidateRecord& r) {
      if (original.candidate_done)
        caf::anon_send(record,
                       observer_call{[&original, task, r] { original.candidate_done(task, r); }});
    };
    forward.task_committed = [&original, record](
                                 const std::string& task,
                                 const std::vector<std::pair<std::string, double>>& row,
                                 double average) {
      if (original.task_committed)
        caf::anon_send(record, observer_call{[&original, task, row, average] {
                         original.task_committed(task, row, average);
                       }});
    };
    if (writer) {
      forward.checkpoint = [writer](const model::ProgressStep& progress,
                                    const std::vector<model::Component>& added) {
        caf::anon_send(writer,
                       snapshot_job{std::make_shared<const model::ProgressStep>(progress),
                                    std::make_shared<const std::vector<model::Component>>(added)});
      };
    }
    runner.replace_observer(std::move(forward));
  }
  // Waits until the recorder has shown every event and every snapshot is written; a failed
  // write becomes `failure`.
  auto flush = [&](std::string& failure) {
    self->request(record, caf::infinite, status_atom_v).receive([](int64_t) {}, [](caf::error&) {});
    self->send_exit(record, caf::exit_reason::user_shutdown);
    if (!writer)
      return;
    self->request(writer, caf::infinite, status_atom_v)
        .receive([](int64_t) {},
                 [&](caf::error& err) {
                   if (failure.empty())
                     failure = "writing a snapshot failed: " + system.render(err);
                 });
    self->send_exit(writer, caf::exit_reason::user_shutdown);
  };
  // The parameter owner begins and commits visits; nothing else touches the store.
  const caf::actor owner = system.spawn<caf::detached>(parameter_owner, &runner, tasks, stop);

  // Up to `window` visits evolve at once; the oldest is always committed first.
  using Handle = decltype(self->request(std::declval<caf::actor&>(), caf::infinite, start_atom_v));
  struct InFlight {
    std::shared_ptr<model::TaskVisit> visit;
    caf::actor evolver;
    Handle done;
  };
  std::deque<InFlight> in_flight;
  const int64_t total = runner.events_total(*tasks);
  const int64_t window = runner.concurrent_tasks();
  auto stopped = [&] { return stop && stop->load(); };
  // The stream source announces each task at its arrival time (all at once when `fast`).
  std::vector<double> delays;
  for (const auto& t : *tasks)
    delays.push_back(options_.fast || simulated ? 0.0 : t.spec.delay_seconds);
  const std::vector<double> arrivals = arrival_times(delays);
  std::vector<bool> arrived(tasks->size(), false);
  const auto stream_start = std::chrono::steady_clock::now();
  const caf::actor source = system.spawn(stream_source, delays, caf::actor_cast<caf::actor>(self));
  self->send(source, start_atom_v);
  // Waits until task visit `e` has arrived (revisits have); false when the run was stopped.
  auto arrive = [&](int64_t e) {
    if (e >= static_cast<int64_t>(tasks->size()))
      return !stopped();
    const auto index = static_cast<size_t>(e);
    const double left =
        arrivals[index] -
        std::chrono::duration<double>(std::chrono::steady_clock::now() - stream_start).count();
    if (!arrived[index] && left > 0.0 && options_.on_wait)
      options_.on_wait((*tasks)[index].name(), left);
    while (!arrived[index] && !stopped()) {
      self->receive([&](arrive_atom, int64_t k) { arrived[static_cast<size_t>(k)] = true; },
                    caf::after(std::chrono::milliseconds(20)) >> [] {});
    }
    return !stopped();
  };

  // Simulated runs keep virtual time: arrivals at their scenario delays, candidates placed on
  // the trainers' schedule, visit e beginning when it arrived and visit e − window committed.
  std::unique_ptr<model::VirtualSchedule> schedule;
  std::vector<double> virtual_arrivals;
  std::map<int64_t, double> virtual_commits;  // event → when it committed (virtual)
  if (simulated) {
    schedule = std::make_unique<model::VirtualSchedule>(std::max<int64_t>(1, options_.trainers));
    std::vector<double> scenario_delays;
    for (const auto& t : *tasks)
      scenario_delays.push_back(t.spec.delay_seconds);
    virtual_arrivals = arrival_times(scenario_delays);
  }
  auto virtual_start = [&](int64_t e) {
    double at = e < static_cast<int64_t>(virtual_arrivals.size())
                    ? virtual_arrivals[static_cast<size_t>(e)]
                    : 0.0;
    if (const auto dep = virtual_commits.find(e - window); dep != virtual_commits.end())
      at = std::max(at, dep->second);
    return at;
  };

  std::string failure;
  int64_t committed = runner.progress().events_done;
  int64_t next = committed;
  while (committed < total && !stopped() && failure.empty()) {
    while (next < total && next < committed + window && arrive(next)) {
      std::shared_ptr<model::TaskVisit> visit;
      self->request(owner, caf::infinite, begin_atom_v, next)
          .receive([&](visit_ref& ref) { visit = std::move(ref.visit); },
                   [&](caf::error& err) { failure = system.render(err); });
      if (!visit)
        break;
      visit->virtual_start = virtual_start(next);
      const caf::actor evolver =
          system.spawn(evolver_actor, &runner, visit.get(), pool, schedule.get(), &estimator);
      Handle done = self->request(evolver, caf::infinite, start_atom_v);
      in_flight.push_back(InFlight{std::move(visit), evolver, std::move(done)});
      ++next;
    }
    if (in_flight.empty() || !failure.empty())
      break;
    bool ready = false;
    in_flight.front().done.receive([&](bool) { ready = true; },
                                   [&](caf::error& err) { failure = system.render(err); });
    if (!ready)
      break;
    if (schedule) {
      const int64_t e = in_flight.front().visit->event;
      const auto previous = virtual_commits.find(e - 1);
      virtual_commits[e] = std::max(in_flight.front().visit->virtual_end,
                                    previous == virtual_commits.end() ? 0.0 : previous->second);
      virtual_commits.erase(e - window - 1);  // no later visit waits on it
    }
    self->request(owner, caf::infinite, commit_atom_v, visit_ref{in_flight.front().visit})
        .receive([&](int64_t done) { committed = done; },
                 [&](caf::error& err) { failure = "committing failed: " + system.render(err); });
    in_flight.pop_front();
  }
  // Visits still evolving are abandoned; their evolvers must be gone before their visits are.
  for (const auto& f : in_flight)
    self->send_exit(f.evolver, caf::exit_reason::user_shutdown);
  for (const auto& f : in_flight)
    self->wait_for(f.evolver);
  in_flight.clear();
  self->send_exit(source, caf::exit_reason::user_shutdown);
  self->send_exit(owner, caf::exit_reason::user_shutdown);
  flush(failure);
  requeued_ = status_of(self, pool).requeued;
  shutdown();
  if (options_.listen)
    system.middleman().unpublish(pool, 0);
  const bool own_failure =
      failure.rfind("writing a snapshot", 0) == 0 || failure.rfind("committing", 0) == 0;
  if (!failure.empty() && (!stopped() || own_failure))
    throw std::runtime_error(own_failure ? failure : "training failed: " + failure);
  model::RunResults results = runner.results(*tasks);
  if (schedule) {
    for (const auto& [event, at] : virtual_commits)
      results.virtual_seconds = std::max(results.virtual_seconds, at);
  }
  return results;
}

}  // namespace evostream::actors
