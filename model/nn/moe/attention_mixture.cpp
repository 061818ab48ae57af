#include "model/nn/moe/attention_mixture.hpp"

#include <ATen/ATen.h>

#include "model/nn/moe/expert_mixture.hpp"
#include "model/nn/vit/attention.hpp"

namespace evostream::model {

MixtureOutput AttentionMixture::apply(const at::Tensor& x, const Component& block,
                                      const std::vector<const Component*>& groups,
                                      const Component& router, bool class_token_only,
                                      const at::Tensor& token_tasks, int64_t tasks) {
  const std::vector<at::Tensor> w = ExpertMixture::stacked(groups);
  const int64_t n = x.size(0);
  const int64_t d = x.size(2);
  const int64_t h = w[0].size(1);
  const std::vector<at::Tensor> wq = w[0].unbind(0);  // one gradient stack, not one per expert
  const std::vector<at::Tensor> wo = w[1].unbind(0);
  const at::Tensor kv = at::linear(x, block.tensor("attn.kv.weight"), block.tensor("attn.kv.bias"));
  const at::Tensor queries = class_token_only ? x.narrow(1, 0, 1) : x;
  const int64_t t = queries.size(1);
  const at::Tensor flat = queries.reshape({n * t, d});
  const ExpertRouting routing(
      flat, router, w[0].size(0),
      token_tasks.defined() ? token_tasks.repeat_interleave(t) : token_tasks, tasks);
  const int64_t k = routing.top_k();
  // Each (token, choice) row's query, computed in expert order and put back in row order: a
  // token's k queries side by side are k heads, each over the same keys and values.
  const at::Tensor q_ordered = routing.per_expert(
      flat.index_select(0, routing.token()),
      [&](int64_t e, const at::Tensor& in) { return at::linear(in, wq[static_cast<size_t>(e)]); });
  const at::Tensor q = q_ordered.index_select(0, at::argsort(routing.order())).view({n, t, k * h});
  const at::Tensor shared =
      at::cat({kv.narrow(2, 0, h).repeat({1, 1, k}), kv.narrow(2, h, h).repeat({1, 1, k})}, 2);
  const at::Tensor rows = Attention::split(q, shared, k).view({n * t * k, h});
  const at::Tensor outputs = routing.per_expert(
      rows.index_select(0, routing.order()),
      [&](int64_t e, const at::Tensor& in) { return at::linear(in, wo[static_cast<size_t>(e)]); });
  const at::Tensor y =
      at::zeros_like(flat).index_add(0, routing.token(), outputs * routing.ordered_gates());
  return routing.output(y.view({n, t, d}));
}

}  // namespace evostream::model
