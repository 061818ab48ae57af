#include "model/strategies/joint/joint_loss.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace evostream::model {

JointLoss::JointLoss(const std::vector<int64_t>& offsets) {
  bool valid = offsets.size() >= 2 && offsets.front() == 0;
  for (size_t t = 1; valid && t < offsets.size(); ++t)
    valid = offsets[t] > offsets[t - 1];
  if (!valid) {
    throw std::invalid_argument(fmt::format(
        "joint loss: expected class offsets rising from 0, one per task and the total, found [{}]",
        fmt::join(offsets, ", ")));
  }
  const int64_t tasks = static_cast<int64_t>(offsets.size()) - 1;
  const int64_t classes = offsets.back();
  task_of_label_ = at::empty({classes}, at::kLong);
  // A large finite value rather than −∞: its softmax share is exactly 0 either way.
  masks_ = at::full({tasks, classes}, -1e30, at::kFloat);
  for (int64_t t = 0; t < tasks; ++t) {
    const auto from = offsets[static_cast<size_t>(t)];
    const auto to = offsets[static_cast<size_t>(t) + 1];
    task_of_label_.narrow(0, from, to - from).fill_(t);
    masks_[t].narrow(0, from, to - from).zero_();
  }
}

at::Tensor JointLoss::loss(const LossInputs& in) const {
  const c10::Device device = in.logits.device();
  const at::Tensor tasks = task_of_label_.to(device).index_select(0, in.labels);
  const at::Tensor mask = masks_.to(device).index_select(0, tasks);
  const at::Tensor ce = at::cross_entropy_loss(in.logits + mask, in.labels);
  report_term(in, "cross-entropy", ce);
  return ce;
}

}  // namespace evostream::model
