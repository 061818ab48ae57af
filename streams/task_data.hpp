#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "streams/image_set.hpp"

namespace evostream::streams {

/// A task ready to learn: its spec and its three splits, built once and kept in memory.
struct TaskData {
  /// The spec the task was built from.
  config::TaskSpec spec;
  /// Number of classes (labels lie in [0, num_classes)).
  int64_t num_classes = 0;
  /// A readable name per class, in label order.
  std::vector<std::string> class_names;
  /// Training split (what candidates train on).
  ImageSet train;
  /// Validation split, carved from the training data; what selection sees.
  ImageSet validation;
  /// Test split; only for reporting, never for selection.
  ImageSet test;
  /// For the union of several tasks learned as one (joint training): where each task's
  /// classes start, and their total at the end (tasks + 1 values), so that a label tells its
  /// example's task. Empty for a single task.
  std::vector<int64_t> class_offsets;

  const std::string& name() const { return spec.name; }
  /// A hash of the three splits' pixels and labels: equal hashes mean equal tasks.
  std::string content_hash() const;
};

}  // namespace evostream::streams
