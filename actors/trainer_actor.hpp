#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <memory>
#include <vector>

#include "model/simulation_model.hpp"
#include "model/trainer.hpp"
#include "streams/task_data.hpp"

namespace evostream::actors {

/// What a trainer needs besides its jobs: the stream's tasks and the training settings.
struct TrainerSetup {
  /// Every task of the stream, in stream order (jobs name them by index).
  std::shared_ptr<const std::vector<streams::TaskData>> tasks;
  /// Settings of one candidate's training; a job's `steps` overrides the steps.
  model::TrainSettings settings;
  /// When set, a job in progress stops at its next validation and fails. May be null.
  const std::atomic<bool>* stop = nullptr;
  /// Crash tests: the process kills itself (SIGKILL) in the middle of its job number
  /// `die_in_job` (counted from 1). Default: never.
  int64_t die_in_job = 0;
  /// The frozen-prefix cache, shared by the run's local trainers. Default (null): a cache of
  /// the trainer's own.
  std::shared_ptr<model::PrefixCache> cache;
  /// The cost and quality model when candidates train in simulation; null for real training.
  std::shared_ptr<const model::SimulationModel> simulation;
};

/// A trainer: trains each `train_job` it receives and replies with a `train_reply`.
///
/// It keeps a prefix cache across jobs (the shared one when given). Training blocks, so spawn it
/// `detached` (one thread each). A job that fails (bad task index, interrupted run) gets an error
/// reply.
caf::behavior trainer_actor(caf::event_based_actor* self, TrainerSetup setup);

}  // namespace evostream::actors
