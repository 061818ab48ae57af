#include "model/strategies/joint/joint_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace evostream::model {

namespace {

std::string shape(const streams::ImageSet& s) {
  return fmt::format("{}×{}×{}", s.channels(), s.height(), s.width());
}

}  // namespace

JointData JointData::of(const std::vector<streams::TaskData>& stream, const std::string& strategy) {
  if (stream.empty())
    throw std::invalid_argument("strategy " + strategy + ": the stream has no tasks to train on");
  const streams::ImageSet& first = stream.front().train;
  auto out = std::make_shared<streams::TaskData>();
  out->spec.name = "joint";
  out->train = streams::ImageSet(first.channels(), first.height(), first.width());
  out->validation = streams::ImageSet(first.channels(), first.height(), first.width());
  out->test = streams::ImageSet(first.channels(), first.height(), first.width());
  JointData joint;
  int64_t offset = 0;
  int64_t train_images = 0;
  for (const auto& t : stream) {
    for (const streams::ImageSet* s : {&t.train, &t.validation}) {
      if (s->channels() != first.channels() || s->height() != first.height() ||
          s->width() != first.width()) {
        throw std::invalid_argument(fmt::format(
            "strategy {}: expected every task's images in one shape to train them as one, "
            "found {} for task {} and {} for task {}",
            strategy, shape(first), stream.front().name(), shape(*s), t.name()));
      }
    }
    joint.offsets.push_back(offset);
    joint.tasks.push_back(t.name());
    for (int64_t c = 0; c < t.num_classes; ++c) {
      out->class_names.push_back(t.name() + ":" +
                                 (c < static_cast<int64_t>(t.class_names.size())
                                      ? t.class_names[static_cast<size_t>(c)]
                                      : std::to_string(c)));
    }
    offset += t.num_classes;
    train_images += t.train.size();
  }
  joint.offsets.push_back(offset);
  out->num_classes = offset;
  out->class_offsets = joint.offsets;
  out->train.reserve(train_images);
  for (size_t t = 0; t < stream.size(); ++t) {
    const streams::ImageSet& s = stream[t].train;
    for (int64_t i = 0; i < s.size(); ++i)
      out->train.push_back(s.image(i), s.label(i) + joint.offsets[t]);
  }
  int64_t longest = 0;
  for (const auto& t : stream)
    longest = std::max(longest, t.validation.size());
  for (int64_t i = 0; i < longest; ++i) {
    for (size_t t = 0; t < stream.size(); ++t) {
      const streams::ImageSet& s = stream[t].validation;
      if (i < s.size())
        out->validation.push_back(s.image(i), s.label(i) + joint.offsets[t]);
    }
  }
  joint.data = std::move(out);
  return joint;
}

}  // namespace evostream::model
