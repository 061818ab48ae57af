#include "model/strategies/replay/replay_buffer.hpp"

#include <stdexcept>

#include "common/rng.hpp"

namespace evostream::model {

namespace {

void check_position(const std::vector<streams::TaskData>& stream, int64_t t) {
  if (t < 0 || t >= static_cast<int64_t>(stream.size()))
    throw std::out_of_range("replay buffer: no task at stream position " + std::to_string(t));
}

}  // namespace

ReplayBuffer ReplayBuffer::of(const std::vector<streams::TaskData>& stream,
                              const std::vector<int64_t>& learned, int64_t memory, uint64_t seed) {
  struct Class {
    int64_t task;
    int64_t label;
  };
  std::vector<Class> classes;
  for (const int64_t t : learned) {
    check_position(stream, t);
    for (int64_t label = 0; label < stream[static_cast<size_t>(t)].num_classes; ++label)
      classes.push_back({t, label});
  }
  ReplayBuffer out;
  if (classes.empty())
    return out;
  const auto n = static_cast<int64_t>(classes.size());
  for (int64_t c = 0; c < n; ++c) {
    const Class& k = classes[static_cast<size_t>(c)];
    const int64_t quota = memory / n + (c < memory % n ? 1 : 0);
    const streams::ImageSet& train = stream[static_cast<size_t>(k.task)].train;
    std::vector<int64_t> positions;
    for (int64_t i = 0; i < train.size(); ++i) {
      if (train.label(i) == k.label)
        positions.push_back(i);
    }
    common::Rng::derive(
        {seed, 0x7e91a7, static_cast<uint64_t>(k.task), static_cast<uint64_t>(k.label)})
        .shuffle(positions);
    const auto take = std::min<int64_t>(quota, static_cast<int64_t>(positions.size()));
    for (int64_t i = 0; i < take; ++i)
      out.examples_.push_back({k.task, positions[static_cast<size_t>(i)], k.label});
  }
  return out;
}

ReplayBuffer ReplayBuffer::all(const std::vector<streams::TaskData>& stream,
                               const std::vector<int64_t>& learned) {
  ReplayBuffer out;
  for (const int64_t t : learned) {
    check_position(stream, t);
    const streams::ImageSet& train = stream[static_cast<size_t>(t)].train;
    for (int64_t i = 0; i < train.size(); ++i)
      out.examples_.push_back({t, i, train.label(i)});
  }
  return out;
}

std::vector<int64_t> ReplayBuffer::counts_by_class() const {
  std::vector<int64_t> counts;
  for (size_t i = 0; i < examples_.size(); ++i) {
    if (i == 0 || examples_[i].task != examples_[i - 1].task ||
        examples_[i].label != examples_[i - 1].label)
      counts.push_back(0);
    ++counts.back();
  }
  return counts;
}

}  // namespace evostream::model
