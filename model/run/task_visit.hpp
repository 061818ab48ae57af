#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// A task visit in progress: started by `StreamRunner::begin`, completed by `commit`.
struct TaskVisit {
  /// The visit's number in the stream (task `event mod n`, iteration `event / n`).
  int64_t event = 0;
  /// When it started (its wall time counts from here).
  std::chrono::steady_clock::time_point started;
  /// The run's state the visit evolves from (see `StreamRunner::begin`); the learner reads it.
  std::shared_ptr<const RunState> state;
  std::unique_ptr<TaskContext> context;
  /// Hands out the visit's candidates; train them anywhere and record them here.
  std::unique_ptr<TaskLearner> learner;
  /// Simulated runs: virtual seconds when the visit could begin and when its last candidate
  /// ended (see `VirtualSchedule`); 0 otherwise.
  double virtual_start = 0.0;
  double virtual_end = 0.0;
};

}  // namespace evostream::model
