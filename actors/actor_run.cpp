#include "actors/actor_run.hpp"

#include <fmt/format.h>

#include <caf/io/all.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "actors/coordinator.hpp"
#include "actors/frame_relay.hpp"
#include "actors/gateway_actor.hpp"
#include "actors/messages.hpp"
#include "actors/parameter_owner.hpp"
#include "actors/recorder.hpp"
#include "actors/snapshotter.hpp"
#include "actors/stream_source.hpp"
#include "actors/system_config.hpp"
#include "actors/trainer_actor.hpp"
#include "actors/trainer_pool.hpp"
#include "model/run/virtual_schedule.hpp"

namespace evostream::actors {

namespace {

struct PoolStatus {
  int64_t alive = 0;
  int64_t idle = 0;
  int64_t queued = 0;
  int64_t requeued = 0;
  double busy_seconds = 0.0;
};

PoolStatus status_of(caf::scoped_actor& self, const trainer_pool_actor& pool) {
  PoolStatus s;
  self->request(pool, caf::infinite, status_atom_v)
      .receive(
          [&](int64_t alive, int64_t idle, int64_t queued, int64_t requeued, double busy) {
            s = {alive, idle, queued, requeued, busy};
          },
          [&](caf::error&) {});
  return s;
}

// Waits until `recorder` has run every call sent to it so far and `writer` (if any) has written
// every snapshot; returns the first failure ("" for none). Both go on.
std::string quiet(caf::scoped_actor& self, const caf::actor& recorder, const caf::actor& writer) {
  std::string failure;
  for (const caf::actor& a : {recorder, writer}) {
    if (!a)
      continue;
    self->request(a, caf::infinite, status_atom_v)
        .receive([](int64_t) {},
                 [&](caf::error& err) {
                   if (failure.empty())
                     failure = self->system().render(err);
                 });
  }
  return failure;
}

}  // namespace

ActorRun::ActorRun(ActorRunOptions options) : options_(std::move(options)) {
  if (!options_.trainer)
    throw std::invalid_argument("trainer: expected the candidate trainer of the run, found none");
  if (options_.grow && (options_.listen || options_.wait_workers > 0)) {
    throw std::invalid_argument(
        "listen: a served run grows its stream while it runs, and remote trainers hold the "
        "stream they joined with: expected no remote trainers, found --listen");
  }
  if (options_.trainers < 0 || (options_.trainers == 0 && options_.wait_workers == 0)) {
    throw std::invalid_argument(
        fmt::format("trainers: expected at least 1 (or remote workers to wait for), found {}",
                    options_.trainers));
  }
}

model::RunResults ActorRun::run(model::StreamRunner& runner,
                                std::shared_ptr<const std::vector<streams::TaskData>> tasks,
                                const std::atomic<bool>* stop) {
  // Workers reach the pool through the relay, which bounds their messages; CAF itself listens
  // on loopback, with the relay's credentials. Declared first: it outlives the actor system.
  std::unique_ptr<FrameRelay> relay;
  if (options_.listen) {
    FrameRelayOptions network;
    network.remote = options_.credentials;
    network.max_payload = options_.max_message;
    network.on_refusal = options_.on_refusal;
    relay = std::make_unique<FrameRelay>(std::move(network));
  }
  caf::actor_system_config cfg;
  configure_system(cfg, relay ? &relay->local() : nullptr);
  caf::actor_system system{cfg};
  std::vector<caf::actor> trainers;
  // Local trainers share one prefix cache: a prefix is computed once, whoever needs it first.
  const auto stream = std::make_shared<streams::StreamTasks>(tasks);
  TrainerSetup setup;
  setup.tasks = stream;
  setup.trainer = options_.trainer;
  setup.stop = stop;
  for (int64_t i = 0; i < options_.trainers; ++i)
    trainers.push_back(system.spawn<caf::detached>(trainer_actor, setup));
  // Orders each batch's jobs, longest expected first.
  const model::CandidateTrainer& estimator = *options_.trainer;
  const bool simulated = options_.trainer->simulated();
  const trainer_pool_actor pool =
      system.spawn(trainer_pool, trainers, WorkerOffer{options_.scenario_text, options_.seed},
                   TrainerLoss{options_.listen ? options_.worker_timeout : std::chrono::seconds{0},
                               options_.on_trainer_wait});
  caf::scoped_actor self{system};
  auto shutdown = [&] {
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    for (const auto& t : trainers)
      self->send_exit(t, caf::exit_reason::user_shutdown);
  };

  if (relay) {
    const auto caf_port = caf::openssl::publish(pool, 0, "127.0.0.1", true);
    uint16_t port = 0;
    try {
      if (!caf_port) {
        throw std::runtime_error(fmt::format("cannot listen on 127.0.0.1 for the relay: {}",
                                             system.render(caf_port.error())));
      }
      port = relay->serve(options_.bind, *options_.listen, *caf_port);
    } catch (const std::exception&) {
      shutdown();
      throw;
    }
    if (options_.on_listen)
      options_.on_listen(port);
  }

  // The observer's calls go to the recorder, the commits' snapshots to the snapshotter; both
  // run them in order while the run goes on.
  const model::RunObserver& observer = runner.observer();
  const caf::actor record = system.spawn<caf::detached>(recorder);
  caf::actor writer;
  if (observer.checkpoint)
    writer = system.spawn<caf::detached>(snapshotter, observer.checkpoint);
  // Waits until the recorder has shown every event and every snapshot is written; a failed
  // write becomes `failure`.
  auto flush = [&](std::string& failure) {
    const std::string last = quiet(self, record, writer);
    if (failure.empty())
      failure = last;
    self->send_exit(record, caf::exit_reason::user_shutdown);
    if (writer)
      self->send_exit(writer, caf::exit_reason::user_shutdown);
  };

  // The parameter owner begins and commits visits; nothing else touches the store.
  const parameter_owner_actor owner =
      system.spawn<caf::detached>(parameter_owner, &runner, stream, stop);

  // Simulated runs keep virtual time: arrivals at their scenario delays, candidates placed on
  // the trainers' schedule.
  std::unique_ptr<model::VirtualSchedule> schedule;
  CoordinatorSetup c;
  c.runner = &runner;
  c.tasks = tasks;
  c.owner = owner;
  c.pool = pool;
  c.recorder = record;
  c.writer = writer;
  c.observer = observer;
  for (const auto& t : *tasks) {
    c.delays.push_back(options_.fast || simulated ? 0.0 : t.spec.delay_seconds);
    if (simulated)
      c.virtual_arrivals.push_back(t.spec.delay_seconds);
  }
  if (simulated) {
    c.virtual_arrivals = arrival_times(c.virtual_arrivals);
    schedule = std::make_unique<model::VirtualSchedule>(std::max<int64_t>(1, options_.trainers));
  }
  c.schedule = schedule.get();
  c.estimator = &estimator;
  c.trainers = options_.trainers + options_.wait_workers;
  c.await_timeout = options_.worker_timeout;
  c.stop = stop;
  c.on_wait = options_.on_wait;
  const bool open = static_cast<bool>(options_.grow);
  c.open = open;
  const coordinator_actor coordinator_handle = system.spawn(coordinator, std::move(c));
  caf::actor gateway;
  if (open) {
    gateway = system.spawn<caf::detached>(
        gateway_actor,
        GatewaySetup{stream, options_.grow, options_.on_growth_error, coordinator_handle, record});
    caf::anon_send(gateway, arrive_atom_v);  // tasks that came before it was there
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    coordinator_ = coordinator_handle;
    gateway_ = gateway;
    if (stop_requested_)
      caf::anon_send(coordinator_, stop_atom_v);
  }
  std::string failure;
  double virtual_seconds = 0.0;
  // An open run answers each time its stream is learned and stays; it is asked again (to go
  // on with what arrived meanwhile, or at once after a stop) until it ends.
  for (bool paused = true; paused;) {
    paused = false;
    self->request(coordinator_handle, caf::infinite, start_atom_v)
        .receive(
            [&](int64_t, double v, bool still_open) {
              virtual_seconds = v;
              paused = still_open;
            },
            [&](caf::error& err) { failure = system.render(err); });
    if (!paused)
      break;
    std::string idle_failure = quiet(self, record, writer);
    const PoolStatus now = status_of(self, pool);
    requeued_ = now.requeued;
    busy_seconds_ = now.busy_seconds;
    if (idle_failure.empty() && options_.on_idle) {
      try {
        options_.on_idle(runner.results(*stream->current()));
      } catch (const std::exception& e) {
        idle_failure = e.what();
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_failure.empty()) {
      failure = idle_failure;
      stop_requested_ = true;
    }
    if (stop_requested_ || (stop && stop->load()))
      caf::anon_send(coordinator_handle, stop_atom_v);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    coordinator_ = coordinator_actor();
    gateway_ = caf::actor();
  }
  if (gateway)
    self->send_exit(gateway, caf::exit_reason::user_shutdown);
  self->send_exit(owner, caf::exit_reason::user_shutdown);
  flush(failure);
  const PoolStatus final_status = status_of(self, pool);
  requeued_ = final_status.requeued;
  busy_seconds_ = final_status.busy_seconds;
  shutdown();
  if (relay) {
    // (caf/openssl/unpublish.hpp of CAF 0.17 does not compile: it omits the actor.)
    auto unpublish = caf::make_function_view(system.openssl_manager().actor_handle());
    unpublish(caf::unpublish_atom_v, pool.address(), uint16_t{0});
  }
  if (!failure.empty())
    throw std::runtime_error(failure);
  model::RunResults results = runner.results(*stream->current());
  if (schedule)
    results.virtual_seconds = virtual_seconds;
  return results;
}

void ActorRun::arrive() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (gateway_)
    caf::anon_send(gateway_, arrive_atom_v);
}

void ActorRun::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_requested_ = true;
  if (coordinator_)
    caf::anon_send(coordinator_, stop_atom_v);
}

}  // namespace evostream::actors
