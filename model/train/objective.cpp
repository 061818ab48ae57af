#include "model/train/objective.hpp"

#include <stdexcept>

namespace evostream::model {

at::Tensor CrossEntropy::loss(const LossInputs& in) const {
  return at::cross_entropy_loss(in.logits, in.labels);
}

void report_term(const LossInputs& in, const std::string& name, const at::Tensor& value) {
  if (in.terms != nullptr)
    (*in.terms)[name] = value.detach().item<double>();
}

std::shared_ptr<const Objective> objective_named(const std::string& name) {
  static const auto cross_entropy = std::make_shared<const CrossEntropy>();
  if (name == cross_entropy->name())
    return cross_entropy;
  throw std::invalid_argument("unknown objective \"" + name +
                              "\" (expected one of: cross-entropy)");
}

}  // namespace evostream::model
