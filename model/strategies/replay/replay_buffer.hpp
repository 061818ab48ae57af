#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "streams/task_data.hpp"

namespace evostream::model {

/// One example of the replay buffer: which task's training split holds it and where.
struct ReplayExample {
  /// The task's position in the stream.
  int64_t task = 0;
  /// Its index in the task's training split.
  int64_t position = 0;
  /// Its label (within its task).
  int64_t label = 0;
};

/// The class-balanced replay buffer: `memory` examples shared equally among every class of
/// every task learned before (the first memory mod C classes get one more), each class's
/// examples drawn at random from its training images, without replacement.
///
/// The buffer holds indices (task, position), never copies of the images. It is a function of
/// the seed and the tasks learned: each class's draw is the start of one seeded permutation of
/// its images, so when a new task's classes join, every old class keeps a prefix of what it
/// held, and a resumed run rebuilds exactly the buffer it had.
class ReplayBuffer {
 public:
  /// The buffer after `learned` (positions in `stream`, in stream order).
  static ReplayBuffer of(const std::vector<streams::TaskData>& stream,
                         const std::vector<int64_t>& learned, int64_t memory, uint64_t seed);

  /// Every training example of `learned`, in stream and position order (cumulative training).
  static ReplayBuffer all(const std::vector<streams::TaskData>& stream,
                          const std::vector<int64_t>& learned);

  const std::vector<ReplayExample>& examples() const { return examples_; }
  size_t size() const { return examples_.size(); }
  bool empty() const { return examples_.empty(); }
  /// Examples per (task, label), in the buffer's order.
  std::vector<int64_t> counts_by_class() const;

 private:
  std::vector<ReplayExample> examples_;
};

}  // namespace evostream::model
