#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/strategies/replay/replay_buffer.hpp"
#include "model/train/objective.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// Experience replay's objective: each step's minibatch is joined by `replay_batch` examples
/// drawn from the buffer (without replacement within the step, seeded by the step), each
/// classified by its own task's head; the loss is the mean cross-entropy over the joined batch
/// (Avalanche's replay concatenates the two minibatches the same way).
///
/// The old heads are frozen, so the replayed examples move only the backbone. It reports the
/// terms `cross-entropy` (the step's own minibatch) and `replayed cross-entropy` (the replayed
/// examples', once the buffer has any).
class ReplayLoss : public Objective {
 public:
  /// `stream` holds the tasks the buffer's indices point into (it must outlive the loss);
  /// `heads` maps each buffered task's stream position to its head.
  ReplayLoss(ReplayBuffer buffer, const std::vector<streams::TaskData>& stream,
             std::map<int64_t, std::shared_ptr<const Component>> heads, int64_t replay_batch,
             uint64_t seed);
  std::string name() const override { return "replay"; }
  at::Tensor loss(const LossInputs& in) const override;
  /// The buffer examples step `step` replays, in the order drawn.
  std::vector<ReplayExample> drawn(int64_t step) const;

 private:
  ReplayBuffer buffer_;
  const std::vector<streams::TaskData>& stream_;
  std::map<int64_t, std::shared_ptr<const Component>> heads_;
  int64_t replay_batch_;
  uint64_t seed_;
};

}  // namespace evostream::model
