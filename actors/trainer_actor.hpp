#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <memory>
#include <vector>

#include "model/train/candidate_trainer.hpp"
#include "streams/stream_tasks.hpp"

namespace evostream::actors {

/// What a trainer needs besides its jobs: the stream's tasks and what trains them.
struct TrainerSetup {
  /// Every task of the stream, in stream order (jobs name them by index); a served stream
  /// grows while the trainers work.
  std::shared_ptr<const streams::StreamTasks> tasks;
  /// Trains each job (local trainers of a run share one, and with it one prefix cache).
  std::shared_ptr<const model::CandidateTrainer> trainer;
  /// When set, a job in progress stops at its next validation and fails. May be null.
  const std::atomic<bool>* stop = nullptr;
  /// Crash tests: the process kills itself (SIGKILL) in the middle of its job number
  /// `die_in_job` (counted from 1). Default: never.
  int64_t die_in_job = 0;
};

/// A trainer: trains each `local_job` it receives and replies with a `local_reply` (a trainer
/// of this process), or each `train_job` with a `train_reply` (one that a remote run sends).
///
/// Training blocks, so spawn it `detached` (one thread each). A job that fails (bad task index,
/// interrupted run) gets an error reply.
caf::behavior trainer_actor(caf::event_based_actor* self, TrainerSetup setup);

}  // namespace evostream::actors
