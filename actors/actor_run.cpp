#include "actors/actor_run.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "actors/evolver_actor.hpp"
#include "actors/messages.hpp"
#include "actors/trainer_actor.hpp"
#include "actors/trainer_pool.hpp"

namespace evostream::actors {

ActorRun::ActorRun(int64_t trainers, model::TrainSettings settings)
    : trainers_(trainers), settings_(std::move(settings)) {
  if (trainers_ < 1)
    throw std::invalid_argument(fmt::format("trainers: expected at least 1, found {}", trainers_));
}

model::RunResults ActorRun::run(model::StreamRunner& runner,
                                std::shared_ptr<const std::vector<streams::TaskData>> tasks,
                                const std::atomic<bool>* stop) {
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::evostream>();
  caf::actor_system system{cfg};
  std::vector<caf::actor> trainers;
  for (int64_t i = 0; i < trainers_; ++i)
    trainers.push_back(
        system.spawn<caf::detached>(trainer_actor, TrainerSetup{tasks, settings_, stop}));
  const caf::actor pool = system.spawn(trainer_pool, trainers);
  caf::scoped_actor self{system};

  std::string failure;
  for (int64_t e = runner.progress().events_done; e < runner.events_total(*tasks); ++e) {
    if (stop && stop->load())
      break;
    model::TaskVisit visit = runner.begin(*tasks, e, stop);
    const caf::actor evolver = system.spawn(evolver_actor, &runner, &visit, pool);
    bool ready = false;
    self->request(evolver, caf::infinite, start_atom_v)
        .receive([&](bool) { ready = true; },
                 [&](caf::error& err) { failure = system.render(err); });
    if (!ready)
      break;
    runner.commit(*tasks, visit);
  }
  self->send_exit(pool, caf::exit_reason::user_shutdown);
  for (const auto& t : trainers)
    self->send_exit(t, caf::exit_reason::user_shutdown);
  if (!failure.empty() && !(stop && stop->load()))
    throw std::runtime_error("training failed: " + failure);
  return runner.results(*tasks);
}

}  // namespace evostream::actors
