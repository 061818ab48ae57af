#pragma once

#include <cstddef>
#include <vector>

#include "model/train/candidate.hpp"
#include "model/train/candidate_trainer.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// The order in which a batch of candidates goes to the trainers.
///
/// A generation ends when its last job does, so with N trainers the jobs go out longest
/// expected first (LPT list scheduling): the short ones fill in at the end and the trainers
/// finish together as far as the jobs allow. The order changes only who trains what and when,
/// never a result: every candidate trains from its own seed and is recorded in batch order.
class DispatchOrder {
 public:
  /// The indices of `batch`, by descending `estimator.estimated_flops` (ties keep batch order).
  static std::vector<size_t> longest_first(const std::vector<Candidate>& batch,
                                           const streams::TaskData& task,
                                           const CandidateTrainer& estimator);
};

}  // namespace evostream::model
