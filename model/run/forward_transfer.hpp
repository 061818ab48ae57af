#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/core/parameter_store.hpp"
#include "model/core/path.hpp"
#include "model/nn/model_family.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// What a stream had already taught about a task before the task was learned, measured with
/// linear probes.
///
/// A task's own head does not exist before it is learned, so the accuracy the stream's model
/// had on it then (GEM's R[i−1, i]) is read through a `LinearProbe`: one fitted on the
/// features of the path committed just before the task's first commit, one on the root's. The
/// task's forward transfer is the difference, in accuracy (positive: the earlier tasks left
/// features that serve it better than the root's). The root's probe is GEM's baseline b_i; for
/// a root that was never trained it is the probe on random features.
struct TaskTransfer {
  /// The task measured.
  std::string task;
  /// The task whose committed path gave the features before it.
  std::string before;
  /// Test accuracy of the probe on the root's features and on the earlier path's.
  double root_probe = 0.0;
  double before_probe = 0.0;
  /// Why the task has no figures (e.g. the earlier path cannot take its images); empty when it
  /// has them.
  std::string missing;

  /// `before_probe − root_probe`.
  double transfer() const { return before_probe - root_probe; }
};

/// Measures forward transfer with linear probes (`TaskTransfer`).
class ForwardTransfer {
 public:
  /// Training images a probe fits on (the first of the task's training split). 2,000.
  static constexpr int64_t kTrainImages = 2000;
  /// Test images a probe is scored on (the first of the task's test split). 2,000.
  static constexpr int64_t kTestImages = 2000;

  /// The transfer to `task` from the path `before` (committed by task `before.task`) against
  /// the root's path `root`, both resolved in `store` and bound by `family`. A path that cannot
  /// take the task's images gives a `TaskTransfer` with `missing` set instead of raising.
  static TaskTransfer measure(const ModelFamily& family, const ParameterStore& store,
                              const Path& root, const Path& before, const streams::TaskData& task);

  /// The mean transfer over the tasks with figures; none when no task has them.
  static std::optional<double> mean(const std::vector<TaskTransfer>& tasks);
};

}  // namespace evostream::model
