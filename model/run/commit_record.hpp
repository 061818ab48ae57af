#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model/core/component.hpp"
#include "model/run/run_progress.hpp"

namespace evostream::model {

/// What one commit did, for whoever reports it: what its snapshot records and the row of the
/// accuracy matrix it measured. `StreamRunner::commit` returns it; the synchronous run hands it
/// to its observer, the actor run to its snapshotter and recorder.
struct CommitRecord {
  /// The task committed.
  std::string task;
  /// What the snapshot of this commit records besides its components, and the components the
  /// commit added (sharing their tensors with the store).
  ProgressStep step;
  std::vector<Component> added;
  /// The test accuracies measured after the commit, by task name, and the average over every
  /// task learned so far.
  std::vector<std::pair<std::string, double>> measured;
  double average_accuracy = 0.0;
};

}  // namespace evostream::model
