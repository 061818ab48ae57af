#include "actors/trainer_actor.hpp"

#include <fmt/format.h>

#include <csignal>

#include "actors/blob_codec.hpp"
#include "model/prefix_cache.hpp"
#include "model/run_interrupted.hpp"

namespace evostream::actors {

caf::behavior trainer_actor(caf::event_based_actor*, TrainerSetup setup) {
  auto cache = setup.cache ? setup.cache : std::make_shared<model::PrefixCache>();
  auto jobs = std::make_shared<int64_t>(0);
  return {
      [setup, cache, jobs](train_job& job) -> caf::result<train_reply> {
        if (++*jobs == setup.die_in_job)
          std::raise(SIGKILL);
        try {
          if (job.task_index < 0 || static_cast<size_t>(job.task_index) >= setup.tasks->size()) {
            return caf::make_error(caf::sec::invalid_argument,
                                   fmt::format("job {}: no task {}", job.job, job.task_index));
          }
          model::TrainSettings settings = setup.settings;
          if (job.steps > 0)
            settings.steps = job.steps;
          std::vector<model::Component> components;
          for (const auto& b : job.components)
            components.push_back(BlobCodec::decode(b));
          const auto path = model::share(std::move(components));
          const auto stop = setup.stop;
          const auto check = [stop](int64_t, int64_t, double) {
            if (stop && stop->load())
              throw model::RunInterrupted();
          };
          const model::Hyperparameters hp = BlobCodec::decode(job.hp);
          const streams::TaskData& task = (*setup.tasks)[static_cast<size_t>(job.task_index)];
          const model::TrainResult r =
              setup.simulation
                  ? setup.simulation->train(path, hp, task, job.seed, settings, check)
                  : model::Trainer(settings, cache).train(path, hp, task, job.seed, check);
          return BlobCodec::reply(job.job, r);
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error,
                                 fmt::format("job {}: {}", job.job, e.what()));
        }
      },
  };
}

}  // namespace evostream::actors
