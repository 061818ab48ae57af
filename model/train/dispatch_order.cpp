#include "model/train/dispatch_order.hpp"

#include <algorithm>
#include <numeric>

namespace evostream::model {

std::vector<size_t> DispatchOrder::longest_first(const std::vector<Candidate>& batch,
                                                 const streams::TaskData& task,
                                                 const CandidateTrainer& estimator) {
  std::vector<double> flops;
  flops.reserve(batch.size());
  for (const auto& c : batch)
    flops.push_back(estimator.estimated_flops(TrainJob::of(c), task));
  std::vector<size_t> order(batch.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return flops[a] > flops[b]; });
  return order;
}

}  // namespace evostream::model
