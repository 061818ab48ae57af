#include "model/strategies/mod_squad/expert_usage.hpp"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <stdexcept>

#include "streams/batch_sampler.hpp"

namespace evostream::model {

ExpertUsage ExpertUsage::measure(const ModelFunction& f, const streams::ImageSet& set,
                                 int64_t limit, int64_t batch) {
  at::NoGradGuard no_grad;  // plain tensors: what it returns is stored and read by autograd later
  const int64_t n = std::min(limit, set.size());
  if (n < 1)
    throw std::invalid_argument("expert usage: the task has no images to measure it on");
  at::Tensor images = at::empty({batch, set.channels(), set.height(), set.width()}, at::kFloat);
  std::vector<at::Tensor> probability;
  std::vector<at::Tensor> selections;
  std::vector<int64_t> tokens;
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t b = std::min(batch, n - start);
    streams::BatchSampler::to_float(set, start, b, images.data_ptr<float>());
    f.forward(images.narrow(0, 0, b).to(f.device()));
    const Routing* r = f.routing();
    if (r == nullptr)
      throw std::invalid_argument("expert usage: the path has no routers (family is not moe-vit)");
    if (probability.empty()) {
      probability.assign(r->probability_sums.size(), at::Tensor());
      selections.assign(r->selections.size(), at::Tensor());
      tokens.assign(r->tokens.size(), 0);
    }
    for (size_t j = 0; j < r->tokens.size(); ++j) {
      const at::Tensor p = r->probability_sums[j].to(at::kCPU).to(at::kDouble);
      const at::Tensor s = r->selections[j].to(at::kCPU).to(at::kDouble);
      probability[j] = probability[j].defined() ? probability[j] + p : p;
      selections[j] = selections[j].defined() ? selections[j] + s : s;
      tokens[j] += r->tokens[j];
    }
  }
  ExpertUsage out;
  for (size_t j = 0; j < tokens.size(); ++j) {
    out.probability.push_back((probability[j] / static_cast<double>(tokens[j])).to(at::kFloat));
    out.selected.push_back((selections[j] / selections[j].sum()).to(at::kFloat));
  }
  return out;
}

}  // namespace evostream::model
