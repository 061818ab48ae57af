#include "model/nn/moe/expert_mixture.hpp"

#include <ATen/ATen.h>

#include "model/nn/moe/moe_layout.hpp"
#include "model/nn/vit/activation.hpp"

namespace evostream::model {

std::vector<at::Tensor> ExpertMixture::stacked(const std::vector<const Component*>& groups) {
  static const char* const kNames[] = {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
  std::vector<at::Tensor> out;
  for (const char* name : kNames) {
    if (groups.size() == 1) {
      out.push_back(groups.front()->tensor(name));
      continue;
    }
    std::vector<at::Tensor> parts;
    for (const Component* g : groups)
      parts.push_back(g->tensor(name));
    out.push_back(at::cat(parts, 0));
  }
  return out;
}

ExpertMixture::Output ExpertMixture::apply(const at::Tensor& x,
                                           const std::vector<const Component*>& groups,
                                           const Component& router, const at::Tensor& token_tasks,
                                           int64_t tasks) {
  const std::vector<at::Tensor> w = stacked(groups);
  const int64_t experts = w[0].size(0);
  const int64_t k = MoeVitLayout::top_k(router);
  const at::Tensor* kept = MoeVitLayout::kept(router);
  at::Tensor logits = at::linear(x, router.tensor("weight"));
  if (token_tasks.defined()) {  // each token's own task's rows
    logits = logits.view({-1, tasks, experts})
                 .gather(1, token_tasks.view({-1, 1, 1}).expand({-1, 1, experts}))
                 .squeeze(1);
  }
  at::Tensor p = at::softmax(logits, 1);
  if (kept != nullptr)
    p = p.index_select(1, *kept);  // an extracted router: every expert in the normaliser
  p = p + 1e-4;
  // The top k by a stable descending sort: equal probabilities (a zero-initialised router)
  // go to the lower experts on every build.
  const at::Tensor chosen =
      std::get<1>(at::sort(p.detach(), /*stable=*/true, /*dim=*/1, /*descending=*/true))
          .narrow(1, 0, k)
          .contiguous();
  const at::Tensor gates = p.gather(1, chosen).reshape({-1});  // [tokens × k]
  const at::Tensor flat = chosen.reshape({-1});
  // (token, choice) rows in expert order.
  const at::Tensor order = std::get<1>(at::sort(flat, /*stable=*/true, 0, false));
  const at::Tensor counts = at::bincount(flat, {}, experts).to(at::kCPU);
  const at::Tensor token = at::div(order, k, "floor");
  const at::Tensor rows = x.index_select(0, token);
  const int64_t* count = counts.data_ptr<int64_t>();
  std::vector<at::Tensor> outputs;
  int64_t offset = 0;
  for (int64_t e = 0; e < experts; ++e) {
    if (count[e] == 0)
      continue;
    const at::Tensor in = rows.narrow(0, offset, count[e]);
    const at::Tensor h = Activation::tanh_gelu(at::linear(in, w[0][e], w[1][e]));
    outputs.push_back(at::linear(h, w[2][e], w[3][e]));
    offset += count[e];
  }
  const at::Tensor weighted = at::cat(outputs, 0) * gates.index_select(0, order).unsqueeze(1);
  Output out;
  out.y = at::zeros_like(x).index_add(0, token, weighted);
  out.probability_sum = p.sum(0);
  out.selections = counts;
  if (token_tasks.defined()) {
    out.task_probability_sum =
        at::zeros({tasks, experts}, p.options()).index_add(0, token_tasks, p);
    out.task_tokens = at::bincount(token_tasks, {}, tasks).to(at::kCPU);
  }
  return out;
}

}  // namespace evostream::model
