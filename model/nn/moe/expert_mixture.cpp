#include "model/nn/moe/expert_mixture.hpp"

#include <ATen/ATen.h>

#include "model/nn/vit/activation.hpp"

namespace evostream::model {

std::vector<at::Tensor> ExpertMixture::stacked(const std::vector<const Component*>& groups) {
  std::vector<at::Tensor> out;
  for (const std::string& name : groups.front()->names()) {
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

MixtureOutput ExpertMixture::apply(const at::Tensor& x, const std::vector<const Component*>& groups,
                                   const Component& router, const at::Tensor& token_tasks,
                                   int64_t tasks) {
  const std::vector<at::Tensor> w = stacked(groups);
  const ExpertRouting routing(x, router, w[0].size(0), token_tasks, tasks);
  // Each expert's weights by one unbind (one gradient stack), not a select per expert.
  std::vector<std::vector<at::Tensor>> we;
  for (const at::Tensor& t : w)
    we.push_back(t.unbind(0));
  const at::Tensor outputs =
      routing.per_expert(x.index_select(0, routing.token()), [&](int64_t e, const at::Tensor& in) {
        const auto i = static_cast<size_t>(e);
        const at::Tensor h = Activation::tanh_gelu(at::linear(in, we[0][i], we[1][i]));
        return at::linear(h, we[2][i], we[3][i]);
      });
  return routing.output(
      at::zeros_like(x).index_add(0, routing.token(), outputs * routing.ordered_gates()));
}

}  // namespace evostream::model
