#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// The per-task parts of a model trained on the whole stream at once (`joint`, Mod-Squad's
/// joint mode): a joined component holds every task's rows (a head of every task's classes, a
/// router of every task's rows); once trained it is cut into one component per task, all owned
/// by the task whose visit trained them, and each task's path names its own.
class JointParts {
 public:
  /// The id of task `task`'s part of kind `kind` and index `index` cut from a joined component
  /// that `owner` trained: `OWNER/KINDINDEX@joint.TASK`, e.g. `a/head@joint.b`.
  static std::string id(const std::string& owner, ComponentKind kind, int64_t index,
                        const std::string& task);

  /// Replaces the joined component `joined` among `out.added` by one component per task of
  /// `tasks`: task t's holds rows [rows[t], rows[t + 1]) of every floating-point tensor (its
  /// integer tensors whole), and `out.path` names its own task's instead of `joined`. Raises
  /// `std::logic_error` when `out` lacks `joined` or `out.path`'s task is not among `tasks`.
  static void split(TaskOutcome& out, const std::string& joined, const std::vector<int64_t>& rows,
                    const std::vector<std::string>& tasks);

  /// The path of a visit after the joint training: the trained task's path (the stream's
  /// latest), with the task's own parts in place of that task's. Raises
  /// `std::invalid_argument`, naming `strategy`, when the task was not in the stream when the
  /// model trained.
  static Path path_of(const RunState& state, const TaskContext& ctx, const std::string& strategy);
};

}  // namespace evostream::model
