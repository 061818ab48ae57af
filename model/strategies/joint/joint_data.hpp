#pragma once

#include <memory>
#include <string>
#include <vector>

#include "streams/task_data.hpp"

namespace evostream::model {

/// The stream's tasks as one task, for `joint` training: their training and validation images
/// in one set each, every task's classes after the earlier tasks' (task t's labels are shifted
/// by `offsets[t]`).
struct JointData {
  /// The union, named "joint": the training splits one after another, the validation splits
  /// interleaved (one image of each task in turn, so that any prefix holds every task), no test
  /// split; classes are `offsets.back()`, named `TASK:CLASS`.
  std::shared_ptr<const streams::TaskData> data;
  /// Where each task's classes start, and their total at the end (tasks + 1 values).
  std::vector<int64_t> offsets;
  /// The tasks, in stream order.
  std::vector<std::string> tasks;

  /// The union of `stream` (its `class_offsets` are `offsets`). Raises
  /// `std::invalid_argument`, naming `strategy`, when the stream is empty or its tasks' images
  /// differ in shape (channels, height, width), naming the first that differs.
  static JointData of(const std::vector<streams::TaskData>& stream,
                      const std::string& strategy = "joint");
};

}  // namespace evostream::model
