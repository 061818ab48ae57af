#include "actors/blob_codec.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

#include "model/train/objective.hpp"

namespace evostream::actors {

component_blob BlobCodec::encode(const model::Component& c) {
  component_blob b;
  b.id = c.id();
  b.kind = model::kind_name(c.kind());
  b.index = c.index();
  b.owner = c.owner();
  b.parent = c.parent();
  b.frozen = c.frozen();
  for (size_t i = 0; i < c.names().size(); ++i)
    b.tensors.push_back(encode(c.names()[i], c.tensors()[i]));
  for (size_t i = 0; i < c.momentum().size(); ++i)
    b.momentum.push_back(encode(c.names()[i], c.momentum()[i]));
  for (size_t i = 0; i < c.second_moment().size(); ++i)
    b.second_moment.push_back(encode(c.names()[i], c.second_moment()[i]));
  b.optimizer_steps = c.optimizer_steps();
  return b;
}

model::Component BlobCodec::decode(const component_blob& b) {
  std::vector<std::string> names;
  std::vector<at::Tensor> tensors;
  for (const auto& tb : b.tensors) {
    names.push_back(tb.name);
    tensors.push_back(decode(tb));
  }
  std::vector<at::Tensor> traces;
  for (const auto& tb : b.momentum)
    traces.push_back(decode(tb));
  std::vector<at::Tensor> second;
  for (const auto& tb : b.second_moment)
    second.push_back(decode(tb));
  const model::Component bare(b.id, model::kind_from_name(b.kind), b.index, b.owner, b.parent,
                              std::move(names), std::move(tensors));
  model::Component c =
      second.empty() && b.optimizer_steps == 0
          ? bare.with_momentum(std::move(traces))
          : bare.with_adam_state(std::move(traces), std::move(second), b.optimizer_steps);
  if (b.frozen)
    c.freeze();
  return c;
}

tensor_blob BlobCodec::encode(const std::string& name, const at::Tensor& tensor) {
  const at::ScalarType type = tensor.scalar_type();
  const bool exact = type == at::kByte || type == at::kLong;
  const at::Tensor cpu = tensor.detach().to(at::kCPU);
  const at::Tensor t = (exact ? cpu : cpu.to(at::kFloat)).contiguous();
  tensor_blob tb;
  tb.name = name;
  tb.shape.assign(t.sizes().begin(), t.sizes().end());
  tb.dtype = type == at::kByte ? "uint8" : type == at::kLong ? "int64" : "float32";
  tb.data.resize(static_cast<size_t>(t.numel()) * t.element_size());
  std::memcpy(tb.data.data(), t.data_ptr(), tb.data.size());
  return tb;
}

at::Tensor BlobCodec::decode(const tensor_blob& tb) {
  // The shape is checked against the values received before anything is allocated: a sender
  // cannot make the receiver allocate more than it sent.
  const at::ScalarType type = tb.dtype == "float32" ? at::kFloat
                              : tb.dtype == "uint8" ? at::kByte
                              : tb.dtype == "int64" ? at::kLong
                                                    : at::kBool;
  if (type == at::kBool) {
    throw std::invalid_argument(fmt::format(
        "tensor {}: expected dtype float32, uint8 or int64, found \"{}\"", tb.name, tb.dtype));
  }
  const uint64_t element = at::elementSize(type);
  if (tb.data.size() % element != 0) {
    throw std::invalid_argument(fmt::format("tensor {}: {} bytes are not whole {} values", tb.name,
                                            tb.data.size(), tb.dtype));
  }
  const uint64_t values = tb.data.size() / element;
  uint64_t numel = 1;
  for (const int64_t d : tb.shape) {
    if (d < 0 || (d > 0 && numel > values / static_cast<uint64_t>(d) + 1)) {
      throw std::invalid_argument(fmt::format("tensor {}: shape {} does not fit the {} values sent",
                                              tb.name, fmt::join(tb.shape, "x"), values));
    }
    numel *= static_cast<uint64_t>(d);
  }
  if (numel != values) {
    throw std::invalid_argument(fmt::format("tensor {}: shape holds {} values, found {} bytes",
                                            tb.name, numel, tb.data.size()));
  }
  at::Tensor t = at::empty(tb.shape, type);
  std::memcpy(t.data_ptr(), tb.data.data(), tb.data.size());
  return t;
}

bool BlobCodec::remotable(const model::TrainJob& job) {
  if (job.data)
    return false;
  if (!job.objective)
    return true;
  try {
    model::objective_named(job.objective->name());
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

std::string BlobCodec::why_not_remotable(const model::TrainJob& job) {
  if (job.data)
    return "the job trains on data of its own (joint training's union of the tasks), which a "
           "remote trainer does not have";
  return fmt::format("objective \"{}\" cannot train remotely: it is not one a name describes",
                     job.objective ? job.objective->name() : "");
}

train_job BlobCodec::job(uint64_t id, int64_t task_index, const model::TrainJob& job,
                         SentComponents* sent) {
  train_job j;
  j.job = id;
  j.task_index = task_index;
  // Only objectives that a name fully describes travel; checked before any component is
  // counted as sent.
  if (!remotable(job))
    throw std::invalid_argument(why_not_remotable(job));
  for (const auto& c : job.components)
    j.components.push_back(sent ? sent->encode(*c) : encode(*c));
  j.recipe = job.recipe;
  // What trains is the job's objective; the worker builds it again from its name.
  j.recipe.objective = job.objective ? job.objective->name() : model::CrossEntropy().name();
  j.seed = job.seed;
  j.steps = job.steps;
  j.validation_interval = job.validation_interval;
  j.schedule_offset = job.schedule_offset;
  j.schedule_steps = job.schedule_steps;
  return j;
}

model::TrainJob BlobCodec::decode(const train_job& job, ReceivedComponents* received) {
  if (job.validation_interval < 0) {
    throw std::invalid_argument(
        fmt::format("train job {}: validation_interval must be >= 0, found {}", job.job,
                    job.validation_interval));
  }
  if (job.schedule_offset < 0 || job.schedule_steps < 0 ||
      (job.schedule_steps > 0 &&
       job.schedule_offset + std::max<int64_t>(job.steps, 1) > job.schedule_steps)) {
    throw std::invalid_argument(fmt::format(
        "train job {}: expected its {} steps from schedule step {} to lie within a schedule of "
        "{} steps",
        job.job, job.steps, job.schedule_offset, job.schedule_steps));
  }
  model::TrainJob out;
  out.recipe = job.recipe;
  out.seed = job.seed;
  out.steps = job.steps;
  out.validation_interval = job.validation_interval;
  out.schedule_offset = job.schedule_offset;
  out.schedule_steps = job.schedule_steps;
  out.objective = model::objective_named(job.recipe.objective);
  out.components.reserve(job.components.size());
  for (const auto& b : job.components) {
    if (received) {
      out.components.push_back(received->decode(b));
    } else if (!b.reference.empty()) {
      throw std::invalid_argument(
          fmt::format("component {}: a reference, but no component was received before", b.id));
    } else {
      out.components.push_back(std::make_shared<const model::Component>(decode(b)));
    }
  }
  return out;
}

train_reply BlobCodec::reply(uint64_t id, const model::TrainResult& r) {
  train_reply out;
  out.job = id;
  out.quality = r.quality;
  out.best_step = r.best_step;
  for (const auto& c : r.trained)
    out.trained.push_back(encode(c));
  out.seconds = r.seconds;
  out.train_seconds = r.train_seconds;
  out.validation_seconds = r.validation_seconds;
  out.images = r.images;
  for (const auto& v : r.validations)
    out.curve.insert(out.curve.end(), {static_cast<double>(v.step), v.accuracy, v.loss});
  std::set<std::string> terms;
  for (const auto& l : r.losses) {
    out.losses.insert(out.losses.end(), {static_cast<double>(l.step), l.loss});
    for (const auto& [name, value] : l.terms)
      terms.insert(name);
  }
  out.terms.assign(terms.begin(), terms.end());
  for (size_t i = 0; i < r.losses.size(); ++i) {
    for (size_t k = 0; k < out.terms.size(); ++k) {
      const auto at = r.losses[i].terms.find(out.terms[k]);
      if (at == r.losses[i].terms.end())
        continue;
      out.term_keys.push_back(i * out.terms.size() + k);
      out.term_values.push_back(at->second);
    }
  }
  return out;
}

model::TrainResult BlobCodec::result(const train_reply& reply) {
  model::TrainResult r;
  r.quality = reply.quality;
  r.best_step = reply.best_step;
  for (const auto& b : reply.trained)
    r.trained.push_back(decode(b));
  r.seconds = reply.seconds;
  r.train_seconds = reply.train_seconds;
  r.validation_seconds = reply.validation_seconds;
  r.images = reply.images;
  const size_t points = reply.losses.size() / 2;
  if (reply.curve.size() % 3 != 0 || reply.losses.size() % 2 != 0 ||
      reply.term_keys.size() != reply.term_values.size()) {
    throw std::invalid_argument(fmt::format(
        "training curve: expected 3 values per validation, 2 per loss point and a key per term "
        "value, found {} and {} values, {} keys and {} term values",
        reply.curve.size(), reply.losses.size(), reply.term_keys.size(), reply.term_values.size()));
  }
  for (size_t i = 0; i + 2 < reply.curve.size(); i += 3) {
    r.validations.push_back(
        {static_cast<int64_t>(reply.curve[i]), reply.curve[i + 1], reply.curve[i + 2]});
  }
  for (size_t i = 0; i < points; ++i)
    r.losses.push_back({static_cast<int64_t>(reply.losses[2 * i]), reply.losses[2 * i + 1], {}});
  const size_t names = reply.terms.size();
  for (size_t j = 0; j < reply.term_keys.size(); ++j) {
    const uint64_t key = reply.term_keys[j];
    if (names == 0 || key >= points * names) {
      throw std::invalid_argument(fmt::format(
          "training curve: term key {} is beyond {} loss points × {} terms", key, points, names));
    }
    r.losses[key / names].terms[reply.terms[key % names]] = reply.term_values[j];
  }
  return r;
}

}  // namespace evostream::actors
