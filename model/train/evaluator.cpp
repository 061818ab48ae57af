#include "model/train/evaluator.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <functional>
#include <limits>

#include "streams/batch_sampler.hpp"

namespace evostream::model {

namespace {

// Scores the first `limit` images of `set` (all when 0) in batches; `logits(start, b)` gives the
// logits of images [start, start + b).
Evaluation score(const streams::ImageSet& set, int64_t batch, int64_t limit,
                 const std::function<at::Tensor(int64_t, int64_t)>& logits) {
  c10::InferenceMode guard;
  const int64_t n = limit > 0 ? std::min(limit, set.size()) : set.size();
  Evaluation out;
  out.predictions.reserve(static_cast<size_t>(n));
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t b = std::min(batch, n - start);
    const at::Tensor pred = logits(start, b).argmax(1).to(at::kCPU).contiguous();
    const int64_t* p = pred.data_ptr<int64_t>();
    for (int64_t i = 0; i < b; ++i) {
      out.predictions.push_back(p[i]);
      correct += p[i] == set.label(start + i);
    }
  }
  out.accuracy = n > 0 ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
  return out;
}

// The tasks of images [start, start + b) of `set` from their labels, on `device`.
at::Tensor tasks_of(const at::Tensor& label_task, const streams::ImageSet& set, int64_t start,
                    int64_t b, c10::Device device) {
  at::Tensor labels = at::empty({b}, at::kLong);
  for (int64_t i = 0; i < b; ++i)
    labels.data_ptr<int64_t>()[i] = set.label(start + i);
  return label_task.index_select(0, labels).to(device);
}

// `logits` of examples of `tasks` with every class outside the example's own task ruled out.
at::Tensor own_classes(const at::Tensor& logits, const at::Tensor& label_task,
                       const at::Tensor& tasks) {
  const at::Tensor other = label_task.to(logits.device()).unsqueeze(0) != tasks.unsqueeze(1);
  return logits.masked_fill(other, -std::numeric_limits<float>::infinity());
}

}  // namespace

Evaluation Evaluator::evaluate(const ModelFunction& f, const streams::ImageSet& set, int64_t batch,
                               int64_t limit, const at::Tensor& label_task) {
  at::Tensor images = at::empty({batch, set.channels(), set.height(), set.width()}, at::kFloat);
  const c10::Device device = f.device();
  return score(set, batch, limit, [&](int64_t start, int64_t b) {
    streams::BatchSampler::to_float(set, start, b, images.data_ptr<float>());
    const at::Tensor x = images.narrow(0, 0, b).to(device);
    if (!label_task.defined())
      return f.forward(x);
    const at::Tensor tasks = tasks_of(label_task, set, start, b, device);
    return own_classes(f.task_forward(x, tasks), label_task, tasks);
  });
}

Evaluation Evaluator::evaluate_prefix(const ModelFunction& f, const at::Tensor& prefixed,
                                      const streams::ImageSet& set, int64_t batch, int64_t limit,
                                      const at::Tensor& label_task) {
  return score(set, batch, limit, [&](int64_t start, int64_t b) {
    const at::Tensor x = prefixed.narrow(0, start, b);
    if (!label_task.defined())
      return f.head(f.features_after_prefix(x));
    const at::Tensor tasks = tasks_of(label_task, set, start, b, x.device());
    return own_classes(f.head(f.task_features_after_prefix(x, tasks)), label_task, tasks);
  });
}

}  // namespace evostream::model
