#include "model/strategies/mod_squad/joint_mod_squad_loss.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <stdexcept>

#include "model/nn/model_function.hpp"
#include "model/strategies/mod_squad/mutual_information.hpp"

namespace evostream::model {

JointModSquadLoss::JointModSquadLoss(const std::vector<int64_t>& offsets, double w_mi)
    : cross_entropy_(offsets), w_mi_(w_mi) {}

at::Tensor JointModSquadLoss::loss(const LossInputs& in) const {
  at::Tensor loss = cross_entropy_.loss(in);
  const Routing* routing = in.model != nullptr ? in.model->routing() : nullptr;
  if (routing == nullptr || routing->task_probability_sums.empty()) {
    throw std::invalid_argument(fmt::format(
        "mod-squad's joint loss expected a joint moe-vit model routing several tasks, found {}",
        routing == nullptr ? "no routing" : "a pass of one task"));
  }
  double mi = 0.0;  // summed over the MoE blocks, for the report
  for (size_t j = 0; j < routing->task_probability_sums.size(); ++j) {
    const at::Tensor& sums = routing->task_probability_sums[j];
    const int64_t* tokens = routing->task_tokens[j].data_ptr<int64_t>();
    std::vector<at::Tensor> rows;
    for (int64_t t = 0; t < sums.size(0); ++t) {
      if (tokens[t] > 0)
        rows.push_back(sums[t] / static_cast<double>(tokens[t]));
    }
    if (rows.size() < 2)
      continue;
    const at::Tensor negative = MutualInformationLoss::negative_mi(rows);
    loss = loss + w_mi_ * negative;
    if (in.terms != nullptr)
      mi -= negative.detach().item<double>();
  }
  report_term(in, "mutual information", at::scalar_tensor(mi, at::kDouble));
  return loss;
}

}  // namespace evostream::model
