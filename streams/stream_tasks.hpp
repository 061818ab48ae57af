#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "streams/task_data.hpp"

namespace evostream::streams {

/// The tasks of a stream that may grow while it is learned (a served run): a list of versions,
/// each extending the one before by tasks that arrived, all kept alive as long as this is, so
/// that whatever refers into an older version (a task visit begun before the stream grew)
/// stays valid. Safe from any thread.
class StreamTasks {
 public:
  /// A stream whose first version is `first` (must not be null).
  explicit StreamTasks(std::shared_ptr<const std::vector<TaskData>> first);

  /// The latest version.
  std::shared_ptr<const std::vector<TaskData>> current() const;
  /// Tasks in the latest version.
  size_t size() const;
  /// Makes `next` the latest version. Raises `std::invalid_argument` unless it holds the
  /// latest version's tasks, by name and in order, followed by at least one more.
  void grow(std::shared_ptr<const std::vector<TaskData>> next);

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const std::vector<TaskData>>> versions_;
};

}  // namespace evostream::streams
