#include "model/strategies/mod_squad/mutual_information.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/nn/model_function.hpp"

namespace evostream::model {

MutualInformationLoss::MutualInformationLoss(std::vector<std::vector<at::Tensor>> earlier,
                                             double w_mi)
    : earlier_(std::move(earlier)), w_mi_(w_mi) {}

at::Tensor MutualInformationLoss::negative_mi(const std::vector<at::Tensor>& conditional) {
  int64_t experts = 0;
  for (const auto& row : conditional)
    experts = std::max(experts, row.size(0));
  std::vector<at::Tensor> rows;
  for (const auto& row : conditional)
    rows.push_back(row.size(0) == experts ? row
                                          : at::constant_pad_nd(row, {0, experts - row.size(0)}));
  const at::Tensor joint = at::stack(rows) / static_cast<double>(rows.size());
  const at::Tensor p_t = joint.sum(1, true) + 1e-4;
  const at::Tensor p_e = joint.sum(0, true) + 1e-4;
  return -(joint * at::log(joint / (p_t * p_e) + 1e-4)).sum();
}

at::Tensor MutualInformationLoss::loss(const LossInputs& in) const {
  at::Tensor loss = at::cross_entropy_loss(in.logits, in.labels);
  report_term(in, "cross-entropy", loss);
  double mi = 0.0;  // summed over the MoE blocks, for the report
  bool any = false;
  const Routing* routing = in.model != nullptr ? in.model->routing() : nullptr;
  if (routing == nullptr || routing->probability_sums.size() != earlier_.size()) {
    throw std::invalid_argument(
        fmt::format("mod-squad's MI term expected a moe-vit path routing {} MoE blocks, found {}",
                    earlier_.size(), routing ? routing->probability_sums.size() : 0));
  }
  for (size_t j = 0; j < earlier_.size(); ++j) {
    if (earlier_[j].empty())
      continue;
    std::vector<at::Tensor> rows;
    for (const auto& r : earlier_[j])
      rows.push_back(r.to(in.logits.device()));
    rows.push_back(routing->probability_sums[j] / static_cast<double>(routing->tokens[j]));
    const at::Tensor negative = negative_mi(rows);
    loss = loss + w_mi_ * negative;
    if (in.terms != nullptr) {
      mi -= negative.detach().item<double>();
      any = true;
    }
  }
  if (any)
    report_term(in, "mutual information", at::scalar_tensor(mi, at::kDouble));
  return loss;
}

}  // namespace evostream::model
