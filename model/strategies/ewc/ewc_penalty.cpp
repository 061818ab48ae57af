#include "model/strategies/ewc/ewc_penalty.hpp"

#include <ATen/ATen.h>

#include <stdexcept>

namespace evostream::model {

EwcPenalty::EwcPenalty(std::vector<EwcAnchor> anchors, double lambda)
    : anchors_(std::move(anchors)), lambda_(lambda) {
  for (const auto& a : anchors_) {
    if (!a.anchor || !a.fisher || a.anchor->tensors().size() != a.fisher->tensors().size())
      throw std::invalid_argument("EWC anchor: expected a component and its Fisher information");
  }
}

at::Tensor EwcPenalty::penalty(const std::vector<Component>& training) const {
  at::Tensor sum = at::zeros({}, at::kFloat);
  for (const auto& c : training) {
    for (const auto& a : anchors_) {
      if (a.anchor->kind() != c.kind() || a.anchor->index() != c.index())
        continue;
      const auto& theta = c.tensors();
      const auto& star = a.anchor->tensors();
      const auto& f = a.fisher->tensors();
      if (theta.size() != star.size()) {
        throw std::invalid_argument("EWC: component " + c.id() + " does not match its anchor " +
                                    a.anchor->id());
      }
      for (size_t t = 0; t < theta.size(); ++t)
        sum =
            sum +
            (f[t].to(theta[t].device()) * (theta[t] - star[t].to(theta[t].device())).pow(2)).sum();
    }
  }
  return sum;
}

at::Tensor EwcPenalty::loss(const LossInputs& in) const {
  const at::Tensor own = at::cross_entropy_loss(in.logits, in.labels);
  const at::Tensor pulled = penalty(in.training);
  report_term(in, "cross-entropy", own);
  report_term(in, "EWC penalty", pulled);
  return own + lambda_ * pulled;
}

}  // namespace evostream::model
