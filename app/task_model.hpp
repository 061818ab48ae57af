#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/parameter_store.hpp"
#include "model/core/path.hpp"

namespace evostream::app {

/// One task's committed path in a finished or stopped run, read from its snapshots: what
/// `predict` and `export` work on.
struct TaskModel {
  /// The run's scenario (its copy in the run directory).
  config::Scenario scenario;
  /// Every component the run committed.
  model::ParameterStore store;
  /// The task's committed path.
  model::Path path;
  /// The task; for `root`, a task named so with no transforms.
  config::TaskSpec task;
  /// Parameters of the model that serves every learned task: the components on their
  /// committed paths, each counted once (a run's `total_params`).
  int64_t serving_params = 0;
  /// The path each commit of the run committed, in commit order.
  std::vector<model::Path> commits;

  /// Loads task `name` of the run in `run_dir` (`root`: the root model with its pretraining
  /// head), printing snapshot warnings to `err`. Raises `std::invalid_argument` for a task the
  /// run does not have or has not learned yet, naming the run's tasks or the resume command.
  static TaskModel load(const std::string& run_dir, const std::string& name, std::ostream& err);
  /// The task's class names (the dataset's, subset and relabelled as the task's `classes`).
  std::vector<std::string> class_names() const;
};

}  // namespace evostream::app
