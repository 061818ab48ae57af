#include "model/run/predictor.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <fmt/format.h>

#include <stdexcept>

#include "streams/batch_sampler.hpp"
#include "streams/task_builder.hpp"

namespace evostream::model {

Predictor::Predictor(const ParameterStore& store, const Path& path, config::TaskSpec task,
                     const config::ArchitectureSpec& architecture)
    : handles_(store.resolve(path.ids)),
      function_(ModelFamily::of(architecture)->bind(pointers(handles_), path.recipe.image_size)),
      task_(std::move(task)),
      channels_(architecture.channels),
      side_(task_.image_size > 0         ? task_.image_size
            : path.recipe.image_size > 0 ? path.recipe.image_size
                                         : architecture.image_size) {}

std::vector<Predictor::Prediction> Predictor::classify(streams::ImageSet images,
                                                       int64_t batch) const {
  if (images.empty())
    return {};
  if (images.channels() != channels_) {
    throw std::invalid_argument(
        fmt::format("expected {}-channel images for task \"{}\", found "
                    "{}-channel ones",
                    channels_, task_.name, images.channels()));
  }
  if (images.height() != images.width()) {
    throw std::invalid_argument(fmt::format("expected square images for task \"{}\", found {} × {}",
                                            task_.name, images.height(), images.width()));
  }
  streams::TaskBuilder::transform_inputs(task_, {&images});
  c10::InferenceMode guard;
  std::vector<Prediction> out;
  out.reserve(static_cast<size_t>(images.size()));
  at::Tensor input =
      at::empty({batch, images.channels(), images.height(), images.width()}, at::kFloat);
  for (int64_t start = 0; start < images.size(); start += batch) {
    const int64_t b = std::min(batch, images.size() - start);
    streams::BatchSampler::to_float(images, start, b, input.data_ptr<float>());
    const at::Tensor logits =
        function_->forward(input.narrow(0, 0, b).to(function_->device())).to(at::kCPU);
    // The class as the evaluation picks it (argmax of the logits), with its probability.
    const at::Tensor lc = logits.argmax(1).contiguous();
    const at::Tensor pc =
        at::softmax(logits.to(at::kDouble), 1).gather(1, lc.unsqueeze(1)).contiguous();
    const at::Tensor values = logits.to(at::kFloat).contiguous();
    const int64_t k = values.size(1);
    for (int64_t i = 0; i < b; ++i) {
      const float* row = values.data_ptr<float>() + i * k;
      out.push_back({lc.data_ptr<int64_t>()[i], pc.data_ptr<double>()[i], {row, row + k}});
    }
  }
  return out;
}

}  // namespace evostream::model
