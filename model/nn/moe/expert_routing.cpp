#include "model/nn/moe/expert_routing.hpp"

#include <ATen/ATen.h>

#include <vector>

#include "model/nn/moe/moe_layout.hpp"

namespace evostream::model {

ExpertRouting::ExpertRouting(const at::Tensor& x, const Component& router, int64_t experts,
                             const at::Tensor& token_tasks, int64_t tasks)
    : experts_(experts), k_(MoeVitLayout::top_k(router)), tasks_(tasks), token_tasks_(token_tasks) {
  const at::Tensor* kept = MoeVitLayout::kept(router);
  at::Tensor logits = at::linear(x, router.tensor("weight"));
  if (token_tasks.defined()) {  // each token's own task's rows
    logits = logits.view({-1, tasks, logits.size(1) / tasks})
                 .gather(1, token_tasks.view({-1, 1, 1}).expand({-1, 1, logits.size(1) / tasks}))
                 .squeeze(1);
  }
  p_ = at::softmax(logits, 1);
  if (kept != nullptr)
    p_ = p_.index_select(1, *kept);  // an extracted router: every expert in the normaliser
  p_ = p_ + 1e-4;
  // The top k by a stable descending sort: equal probabilities (a zero-initialised router)
  // go to the lower experts on every build.
  const at::Tensor chosen =
      std::get<1>(at::sort(p_.detach(), /*stable=*/true, /*dim=*/1, /*descending=*/true))
          .narrow(1, 0, k_)
          .contiguous();
  gates_ = p_.gather(1, chosen).reshape({-1});
  const at::Tensor flat = chosen.reshape({-1});
  order_ = std::get<1>(at::sort(flat, /*stable=*/true, 0, false));
  counts_ = at::bincount(flat, {}, experts_).to(at::kCPU);
  token_ = at::div(order_, k_, "floor");
}

at::Tensor ExpertRouting::ordered_gates() const {
  return gates_.index_select(0, order_).unsqueeze(1);
}

at::Tensor ExpertRouting::per_expert(
    const at::Tensor& ordered,
    const std::function<at::Tensor(int64_t, const at::Tensor&)>& f) const {
  // One split (its gradient is one concatenation), not a slice per expert (each slice's
  // gradient would be a zero tensor of every row).
  const int64_t* count = counts_.data_ptr<int64_t>();
  const std::vector<at::Tensor> parts =
      at::split_with_sizes(ordered, at::IntArrayRef(count, static_cast<size_t>(experts_)), 0);
  std::vector<at::Tensor> outputs;
  for (int64_t e = 0; e < experts_; ++e) {
    if (count[e] > 0)
      outputs.push_back(f(e, parts[static_cast<size_t>(e)]));
  }
  return at::cat(outputs, 0);
}

MixtureOutput ExpertRouting::output(at::Tensor y) const {
  MixtureOutput out;
  out.y = std::move(y);
  out.probability_sum = p_.sum(0);
  out.selections = counts_;
  if (token_tasks_.defined()) {
    out.task_probability_sum =
        at::zeros({tasks_, experts_}, p_.options()).index_add(0, token_tasks_, p_);
    out.task_tokens = at::bincount(token_tasks_, {}, tasks_).to(at::kCPU);
  }
  return out;
}

}  // namespace evostream::model
