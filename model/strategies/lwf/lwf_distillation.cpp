#include "model/strategies/lwf/lwf_distillation.hpp"

#include <ATen/ATen.h>

#include <stdexcept>

namespace evostream::model {

LwfDistillation::LwfDistillation(std::vector<std::shared_ptr<const Component>> previous,
                                 std::vector<std::shared_ptr<const Component>> heads, double alpha,
                                 double temperature, int64_t attention_heads, int64_t image_size)
    : previous_(std::move(previous)),
      heads_(std::move(heads)),
      alpha_(alpha),
      temperature_(temperature) {
  std::vector<const Component*> pointers;
  for (const auto& c : previous_)
    pointers.push_back(c.get());
  f_ = std::make_unique<VitFunction>(VitLayout::of(pointers), attention_heads, image_size);
}

at::Tensor LwfDistillation::distillation(const at::Tensor& current,
                                         const at::Tensor& images) const {
  at::Tensor before;
  {
    at::NoGradGuard no_grad;
    before = f_->features(f_->run_blocks(f_->embed(images), 0, f_->depth(), true));
  }
  const double n = static_cast<double>(current.size(0));
  at::Tensor sum = at::zeros({}, current.options());
  for (const auto& h : heads_) {
    const at::Tensor log_p = at::log_softmax(VitFunction::head(*h, current) / temperature_, 1);
    at::Tensor log_q;
    {
      at::NoGradGuard no_grad;
      log_q = at::log_softmax(VitFunction::head(*h, before) / temperature_, 1);
    }
    sum = sum + (log_q.exp() * (log_q - log_p)).sum() / n;
  }
  return sum;
}

at::Tensor LwfDistillation::loss(const LossInputs& in) const {
  if (!in.images.defined())
    throw std::logic_error("LwF: the step's images are needed (the backbone trains whole)");
  const at::Tensor own = at::cross_entropy_loss(in.logits, in.labels);
  const at::Tensor kept = distillation(in.features, in.images);
  report_term(in, "cross-entropy", own);
  report_term(in, "distillation", kept);
  return own + alpha_ * kept;
}

}  // namespace evostream::model
