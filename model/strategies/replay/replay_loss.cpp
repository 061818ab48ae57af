#include "model/strategies/replay/replay_loss.hpp"

#include <ATen/ATen.h>

#include <numeric>
#include <stdexcept>

#include "common/rng.hpp"
#include "model/nn/vit/vit_function.hpp"
#include "streams/batch_sampler.hpp"

namespace evostream::model {

ReplayLoss::ReplayLoss(ReplayBuffer buffer, const std::vector<streams::TaskData>& stream,
                       std::map<int64_t, std::shared_ptr<const Component>> heads,
                       int64_t replay_batch, uint64_t seed)
    : buffer_(std::move(buffer)),
      stream_(stream),
      heads_(std::move(heads)),
      replay_batch_(replay_batch),
      seed_(seed) {
  for (const auto& e : buffer_.examples()) {
    if (heads_.count(e.task) == 0)
      throw std::invalid_argument("replay: no head for buffered task " + std::to_string(e.task));
  }
}

std::vector<ReplayExample> ReplayLoss::drawn(int64_t step) const {
  const auto n = static_cast<int64_t>(buffer_.size());
  const int64_t r = std::min(replay_batch_, n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  common::Rng rng = common::Rng::derive({seed_, static_cast<uint64_t>(step)});
  std::vector<ReplayExample> out;
  out.reserve(static_cast<size_t>(r));
  // The first r draws of a Fisher-Yates shuffle.
  for (int64_t i = 0; i < r; ++i) {
    const auto j = i + static_cast<int64_t>(rng.uniform_int(static_cast<uint64_t>(n - i)));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    out.push_back(buffer_.examples()[static_cast<size_t>(order[static_cast<size_t>(i)])]);
  }
  return out;
}

at::Tensor ReplayLoss::loss(const LossInputs& in) const {
  const at::Tensor own = at::cross_entropy_loss(in.logits, in.labels);
  report_term(in, "cross-entropy", own);
  const std::vector<ReplayExample> replayed = drawn(in.step);
  if (replayed.empty())
    return own;
  const c10::Device device = in.logits.device();
  const auto b = static_cast<double>(in.logits.size(0));
  at::Tensor sum = own * b;
  double replayed_sum = 0.0;  // their cross-entropy, for the report
  // One forward per task replayed (tasks may differ in image size), one head each.
  std::map<int64_t, std::vector<const ReplayExample*>> by_task;
  for (const auto& e : replayed)
    by_task[e.task].push_back(&e);
  for (const auto& [task, examples] : by_task) {
    const streams::ImageSet& set = stream_[static_cast<size_t>(task)].train;
    const auto k = static_cast<int64_t>(examples.size());
    at::Tensor images = at::empty({k, set.channels(), set.height(), set.width()}, at::kFloat);
    at::Tensor labels = at::empty({k}, at::kLong);
    const int64_t numel = set.channels() * set.height() * set.width();
    for (int64_t i = 0; i < k; ++i) {
      streams::BatchSampler::to_float(set, examples[static_cast<size_t>(i)]->position,
                                      images.data_ptr<float>() + i * numel);
      labels.data_ptr<int64_t>()[i] = examples[static_cast<size_t>(i)]->label;
    }
    const at::Tensor logits =
        VitFunction::head(*heads_.at(task), in.features_of(images.to(device)));
    const at::Tensor theirs = at::cross_entropy_loss(logits, labels.to(device));
    sum = sum + theirs * static_cast<double>(k);
    if (in.terms != nullptr)
      replayed_sum += theirs.detach().item<double>() * static_cast<double>(k);
  }
  report_term(in, "replayed cross-entropy",
              at::scalar_tensor(replayed_sum / static_cast<double>(replayed.size()), at::kDouble));
  return sum / (b + static_cast<double>(replayed.size()));
}

}  // namespace evostream::model
