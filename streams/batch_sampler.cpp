#include "streams/batch_sampler.hpp"

#include <numeric>
#include <stdexcept>

#include "common/rng.hpp"

namespace evostream::streams {

using common::Rng;

namespace {

const std::array<float, 256>& byte_to_float() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (int i = 0; i < 256; ++i)
      t[static_cast<size_t>(i)] = static_cast<float>(i) / 255.0f;
    return t;
  }();
  return table;
}

}  // namespace

BatchSampler::BatchSampler(const ImageSet& set, int64_t batch_size, uint64_t seed)
    : set_(set), batch_size_(batch_size), seed_(seed) {
  if (set.empty())
    throw std::invalid_argument("BatchSampler: empty image set");
  if (batch_size <= 0)
    throw std::invalid_argument("BatchSampler: batch_size must be > 0");
  order_.resize(static_cast<size_t>(set.size()));
  batch_.resize(static_cast<size_t>(batch_size));
  std::iota(order_.begin(), order_.end(), int64_t{0});
  Rng rng = Rng::derive({seed_, 0});
  rng.shuffle(order_);
}

void BatchSampler::advance() {
  for (auto& idx : batch_) {
    if (position_ == order_.size()) {
      ++epoch_;
      position_ = 0;
      // Reshuffle in place from the identity so an epoch's order depends only on (seed, epoch).
      std::iota(order_.begin(), order_.end(), int64_t{0});
      Rng rng = Rng::derive({seed_, static_cast<uint64_t>(epoch_)});
      rng.shuffle(order_);
    }
    idx = order_[position_++];
  }
}

const std::vector<int64_t>& BatchSampler::next_indices() {
  advance();
  return batch_;
}

void BatchSampler::next(float* images, int64_t* labels) {
  advance();
  const int64_t numel = set_.image_numel();
  for (int64_t b = 0; b < batch_size_; ++b) {
    const int64_t i = batch_[static_cast<size_t>(b)];
    to_float(set_, i, images + b * numel);
    labels[b] = set_.label(i);
  }
}

void BatchSampler::to_float(const ImageSet& set, int64_t i, float* out) {
  const auto& table = byte_to_float();
  const uint8_t* src = set.image(i);
  const int64_t numel = set.image_numel();
  for (int64_t p = 0; p < numel; ++p)
    out[p] = table[src[p]];
}

void BatchSampler::to_float(const ImageSet& set, int64_t first, int64_t count, float* out) {
  for (int64_t i = 0; i < count; ++i)
    to_float(set, first + i, out + i * set.image_numel());
}

}  // namespace evostream::streams
