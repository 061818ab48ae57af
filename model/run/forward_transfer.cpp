#include "model/run/forward_transfer.hpp"

#include <ATen/ATen.h>

#include <exception>

#include "model/train/linear_probe.hpp"

namespace evostream::model {

namespace {

// The probe's test accuracy on the features `path` gives the task's images.
double probe(const ModelFamily& family, const ParameterStore& store, const Path& path,
             const streams::TaskData& task) {
  const auto handles = store.resolve(path.ids);
  const auto f = family.bind(pointers(handles), path.recipe.image_size);
  const at::Tensor train = LinearProbe::features(*f, task.train, ForwardTransfer::kTrainImages);
  const at::Tensor test = LinearProbe::features(*f, task.test, ForwardTransfer::kTestImages);
  return LinearProbe::accuracy(
      train, LinearProbe::labels(task.train, ForwardTransfer::kTrainImages), task.num_classes, test,
      LinearProbe::labels(task.test, ForwardTransfer::kTestImages));
}

}  // namespace

TaskTransfer ForwardTransfer::measure(const ModelFamily& family, const ParameterStore& store,
                                      const Path& root, const Path& before,
                                      const streams::TaskData& task) {
  TaskTransfer out;
  out.task = task.name();
  out.before = before.task;
  try {
    out.root_probe = probe(family, store, root, task);
    out.before_probe = probe(family, store, before, task);
  } catch (const std::exception& e) {  // c10::Error derives from it: a shape the path refuses
    std::string what = e.what();
    const auto line = what.find('\n');
    out.missing = what.substr(0, line);
    out.root_probe = out.before_probe = 0.0;
  }
  return out;
}

std::optional<double> ForwardTransfer::mean(const std::vector<TaskTransfer>& tasks) {
  double sum = 0.0;
  int64_t n = 0;
  for (const auto& t : tasks) {
    if (!t.missing.empty())
      continue;
    sum += t.transfer();
    ++n;
  }
  if (n == 0)
    return std::nullopt;
  return sum / static_cast<double>(n);
}

}  // namespace evostream::model
