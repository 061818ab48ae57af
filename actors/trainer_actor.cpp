#include "actors/trainer_actor.hpp"

#include <fmt/format.h>

#include <csignal>

#include "actors/blob_codec.hpp"
#include "actors/run_error.hpp"
#include "model/core/run_interrupted.hpp"

namespace evostream::actors {

namespace {

// Trains `work` for job `id` on task `task_index`; an error for a bad task index or a failed
// (or interrupted) training.
caf::expected<model::TrainResult> train(const TrainerSetup& setup, int64_t& jobs, uint64_t id,
                                        int64_t task_index, const model::TrainJob& work) {
  if (++jobs == setup.die_in_job)
    std::raise(SIGKILL);
  try {
    const auto tasks = setup.tasks->current();
    if (task_index < 0 || static_cast<size_t>(task_index) >= tasks->size())
      return caf::make_error(run_error::bad_job, fmt::format("job {}: no task {}", id, task_index));
    const auto stop = setup.stop;
    const auto check = [stop](int64_t, int64_t, double) {
      if (stop && stop->load())
        throw model::RunInterrupted();
    };
    return setup.trainer->train(work, (*tasks)[static_cast<size_t>(task_index)], check);
  } catch (const model::RunInterrupted&) {
    return caf::make_error(run_error::interrupted, fmt::format("job {}", id));
  } catch (const std::exception& e) {
    return caf::make_error(run_error::job_failed, fmt::format("job {}: {}", id, e.what()));
  }
}

}  // namespace

caf::behavior trainer_actor(caf::event_based_actor*, TrainerSetup setup) {
  auto jobs = std::make_shared<int64_t>(0);
  // The frozen components remote jobs sent, which their later jobs refer to.
  auto received = std::make_shared<ReceivedComponents>();
  return {
      [setup, jobs](local_job& job) -> caf::result<local_reply> {
        auto r = train(setup, *jobs, job.job, job.task_index, *job.work);
        if (!r)
          return std::move(r.error());
        return local_reply{job.job, std::make_shared<const model::TrainResult>(std::move(*r))};
      },
      [setup, jobs, received](train_job& job) -> caf::result<train_reply> {
        model::TrainJob work;
        try {
          work = BlobCodec::decode(job, received.get());
        } catch (const std::exception& e) {
          return caf::make_error(run_error::bad_job, fmt::format("job {}: {}", job.job, e.what()));
        }
        auto r = train(setup, *jobs, job.job, job.task_index, work);
        if (!r)
          return std::move(r.error());
        return BlobCodec::reply(job.job, *r);
      },
  };
}

}  // namespace evostream::actors
