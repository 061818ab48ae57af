#include "model/strategies/joint/joint_loss.hpp"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

#include "model/train/task_of_label.hpp"

namespace evostream::model {

JointLoss::JointLoss(const std::vector<int64_t>& offsets) {
  try {
    task_of_label_ = task_of_label(offsets);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("joint loss: ") + e.what());
  }
  if (!task_of_label_.defined())
    throw std::invalid_argument("joint loss: expected class offsets, found none");
  const int64_t tasks = static_cast<int64_t>(offsets.size()) - 1;
  // A large finite value rather than −∞: its softmax share is exactly 0 either way.
  masks_ = at::full({tasks, offsets.back()}, -1e30, at::kFloat);
  for (int64_t t = 0; t < tasks; ++t) {
    const auto from = offsets[static_cast<size_t>(t)];
    masks_[t].narrow(0, from, offsets[static_cast<size_t>(t) + 1] - from).zero_();
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
