#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "model/stream_runner.hpp"
#include "streams/scenario.hpp"
#include "streams/task_data.hpp"

namespace evostream::actors {

/// Runs a stream through the actor system: `trainers` trainer actors behind a trainer pool, one
/// evolver actor per task visit, and this thread as the coordinator that starts each visit and
/// commits it through the `StreamRunner` (the only writer of the store; its checkpoint writes
/// the snapshot).
///
/// The outcome is the same as `StreamRunner::run` (the same state hash) for any number of
/// trainers: each candidate trains from its own seed and results are recorded in candidate
/// order.
class ActorRun {
 public:
  /// `trainers`: how many local trainer actors (threads); `settings`: one candidate's training.
  ActorRun(int64_t trainers, model::TrainSettings settings);

  /// Learns the rest of the stream with `runner`; stops (results with `complete` false) when
  /// `stop` becomes set. Raises `std::runtime_error` when a job fails for another reason.
  model::RunResults run(model::StreamRunner& runner,
                        std::shared_ptr<const std::vector<streams::TaskData>> tasks,
                        const std::atomic<bool>* stop = nullptr);

 private:
  int64_t trainers_;
  model::TrainSettings settings_;
};

}  // namespace evostream::actors
