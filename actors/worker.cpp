#include "actors/worker.hpp"

#include <fmt/format.h>

#include <caf/io/all.hpp>
#include <cstdlib>
#include <stdexcept>

#include "actors/frame_relay.hpp"
#include "actors/messages.hpp"
#include "actors/system_config.hpp"
#include "actors/trainer_actor.hpp"
#include "actors/trainer_pool.hpp"
#include "config/scenario_parser.hpp"
#include "model/strategies/strategy.hpp"
#include "streams/task_builder.hpp"

namespace evostream::actors {

Worker::Worker(std::string host, uint16_t port, std::string device, int64_t threads,
               std::optional<TlsCredentials> credentials, uint64_t max_message,
               storage::FaultInjection faults)
    : host_(std::move(host)),
      port_(port),
      device_(std::move(device)),
      threads_(threads),
      credentials_(std::move(credentials)),
      max_message_(max_message),
      faults_(faults) {}

int Worker::run(std::ostream& out) const {
  // CAF reaches the run through the relay, which bounds the run's messages. Declared first: it
  // outlives the actor system.
  FrameRelayOptions network;
  network.remote = credentials_;
  network.max_payload = max_message_;
  // The worker has one connection: a refusal ends it, and is reported as its error.
  FrameRelay relay(std::move(network));
  const uint16_t relayed = relay.reach(host_, port_);
  caf::actor_system_config cfg;
  configure_system(cfg, &relay.local());
  caf::actor_system system{cfg};
  // Typed: a peer that is not a trainer pool (another program on the port) is refused here.
  auto pool = caf::openssl::remote_actor<trainer_pool_actor>(system, "127.0.0.1", relayed);
  if (!pool && pool.error() == caf::sec::unexpected_actor_messaging_interface) {
    throw std::runtime_error(
        fmt::format("cannot connect to {}:{}: the actor there is not an evostream run's trainer "
                    "pool (another program, or a run of another evostream version)",
                    host_, port_));
  }
  if (!pool) {
    const std::string refusal = relay.last_refusal();
    throw std::runtime_error(fmt::format(
        "cannot connect to {}:{}: {} (is `evostream run --listen {}` running there, {}?)", host_,
        port_, refusal.empty() ? system.render(pool.error()) : refusal, port_,
        credentials_ ? "and are these its credentials (RUN/tls.pem)" : "started with --insecure"));
  }
  caf::scoped_actor self{system};
  std::string text;
  uint64_t seed = 1;
  self->request(*pool, std::chrono::seconds(30), scenario_atom_v)
      .receive(
          [&](std::string& scenario, uint64_t s) {
            text = std::move(scenario);
            seed = s;
          },
          [&](caf::error& e) {
            throw std::runtime_error(
                fmt::format("{}:{}: no scenario offered: {}", host_, port_, system.render(e)));
          });
  config::Scenario scenario = config::ScenarioParser::parse_string(text, "<offered scenario>");
  scenario.seed = seed;
  streams::TaskBuilder builder(scenario);
  const auto tasks = std::make_shared<const std::vector<streams::TaskData>>(builder.build_all());
  // The settings the run's own trainers use, on this machine's device and threads.
  const model::StrategyEnvironment env = model::StrategyEnvironment::of(scenario);
  model::TrainSettings settings = env.train;
  settings.threads = threads_;
  settings.device = device_;
  TrainerSetup setup;
  setup.tasks = std::make_shared<const streams::StreamTasks>(tasks);
  setup.trainer = model::CandidateTrainer::make(settings, nullptr, env.simulation);
  setup.die_in_job = faults_.kill_in_job;
  // On the scheduler, not detached: the run holds a remote reference to the trainer, which can
  // outlive the connection, and the actor system's teardown waits for a detached actor's thread
  // until its last reference is gone, so the worker could hang at exit. The trainer is the only
  // actor the worker schedules, so blocking a scheduler thread while it trains costs nothing.
  const caf::actor trainer = system.spawn(trainer_actor, setup);
  out << fmt::format("worker: joined {}:{} for scenario {} ({} tasks), device {}\n", host_, port_,
                     scenario.name, tasks->size(), device_);
  out.flush();
  self->monitor(*pool);
  self->monitor(trainer);
  self->send(*pool, join_atom_v, trainer);
  // Until the run ends (the pool goes away) or the trainer stops. A down message may never
  // come when the run ends at the moment the worker joins, so the pool is also asked every
  // second whether it is still there.
  for (bool ended = false; !ended;) {
    self->receive([&](caf::down_msg&) { ended = true; },
                  caf::after(std::chrono::seconds(1)) >>
                      [&] {
                        self->request(*pool, std::chrono::seconds(5), status_atom_v)
                            .receive([](int64_t, int64_t, int64_t, int64_t, double) {},
                                     [&](caf::error&) { ended = true; });
                      });
  }
  self->send_exit(trainer, caf::exit_reason::user_shutdown);
  if (const std::string cut = relay.last_refusal(); !cut.empty()) {
    throw std::runtime_error(
        fmt::format("{} (raise --max-message if the run's messages are that large)", cut));
  }
  out << "worker: the run has ended\n";
  out.flush();
  return 0;
}

}  // namespace evostream::actors
