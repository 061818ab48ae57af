#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "model/core/component.hpp"
#include "model/run/run_progress.hpp"
#include "model/train/candidate.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// Callbacks a runner reports progress to; every one may be empty.
struct RunObserver {
  /// A task visit starts: (stream index, iteration, task).
  std::function<void(int64_t, int64_t, const streams::TaskData&)> task_started;
  /// A candidate of the current task finished.
  std::function<void(const std::string&, const CandidateRecord&)> candidate_done;
  /// A task visit was committed and evaluated: (task, the test accuracies measured, by task
  /// name, the average accuracy over every learned task).
  std::function<void(const std::string&, const std::vector<std::pair<std::string, double>>&,
                     double)>
      task_committed;
  using Checkpoint = std::function<void(const ProgressStep&, const std::vector<Component>&)>;
  /// After each commit and evaluation: what it changed and the components it added (what a
  /// snapshot writes).
  Checkpoint checkpoint;
};

}  // namespace evostream::model
