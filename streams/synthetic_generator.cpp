#include "streams/synthetic_generator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/rng.hpp"

namespace evostream::streams {

using config::SyntheticOptions;

using common::Rng;

namespace {

constexpr int kBlobsPerChannel = 4;

// A prototype: per channel, a smooth map of values in [0, 1].
std::vector<float> make_prototype(Rng& rng, int64_t channels, int64_t side) {
  std::vector<float> proto(static_cast<size_t>(channels * side * side), 0.0f);
  for (int64_t c = 0; c < channels; ++c) {
    float* plane = proto.data() + c * side * side;
    for (int b = 0; b < kBlobsPerChannel; ++b) {
      const double cy = (0.15 + 0.7 * rng.uniform01()) * side;
      const double cx = (0.15 + 0.7 * rng.uniform01()) * side;
      const double sigma = (0.06 + 0.12 * rng.uniform01()) * side;
      const double amp = 0.5 + 0.5 * rng.uniform01();
      for (int64_t y = 0; y < side; ++y) {
        for (int64_t x = 0; x < side; ++x) {
          const double d2 = (y - cy) * (y - cy) + (x - cx) * (x - cx);
          plane[y * side + x] += static_cast<float>(amp * std::exp(-d2 / (2 * sigma * sigma)));
        }
      }
    }
    for (int64_t i = 0; i < side * side; ++i)
      plane[i] = std::min(plane[i], 1.0f);
  }
  return proto;
}

void sample(Rng& rng, const std::vector<float>& proto, const SyntheticOptions& o, uint8_t* out) {
  const int64_t side = o.image_size;
  const auto span = static_cast<uint64_t>(2 * o.max_shift + 1);
  const int64_t dy = static_cast<int64_t>(rng.uniform_int(span)) - o.max_shift;
  const int64_t dx = static_cast<int64_t>(rng.uniform_int(span)) - o.max_shift;
  const double contrast = 0.8 + 0.4 * rng.uniform01();
  for (int64_t c = 0; c < o.channels; ++c) {
    const float* plane = proto.data() + c * side * side;
    for (int64_t y = 0; y < side; ++y) {
      for (int64_t x = 0; x < side; ++x) {
        const int64_t sy = y - dy;
        const int64_t sx = x - dx;
        double v = (sy >= 0 && sy < side && sx >= 0 && sx < side) ? plane[sy * side + sx] : 0.0;
        v = v * contrast + o.noise * rng.normal();
        v = std::clamp(v, 0.0, 1.0);
        out[(c * side + y) * side + x] = static_cast<uint8_t>(std::lround(v * 255.0));
      }
    }
  }
}

ImageSet make_split(const SyntheticOptions& o, const std::vector<std::vector<float>>& protos,
                    int64_t per_class, uint64_t split_tag) {
  ImageSet set(o.channels, o.image_size, o.image_size);
  set.reserve(per_class * o.classes);
  std::vector<uint8_t> buf(static_cast<size_t>(set.image_numel()));
  Rng rng = Rng::derive({o.seed, split_tag});
  // Interleave classes so that a prefix of the set is balanced.
  for (int64_t i = 0; i < per_class; ++i) {
    for (int64_t k = 0; k < o.classes; ++k) {
      sample(rng, protos[static_cast<size_t>(k)], o, buf.data());
      set.push_back(buf.data(), k);
    }
  }
  return set;
}

}  // namespace

SyntheticGenerator::SyntheticGenerator(SyntheticOptions options) : options_(options) {
  if (options_.classes < 2 || options_.channels < 1 || options_.image_size < 4 ||
      options_.train_per_class < 1 || options_.test_per_class < 1 || options_.noise < 0 ||
      options_.max_shift < 0) {
    throw std::invalid_argument("SyntheticGenerator: options out of range");
  }
}

Dataset SyntheticGenerator::generate(const std::string& name) const {
  Rng proto_rng = Rng::derive({options_.seed, 0x70726f746fULL /* "proto" */});
  std::vector<std::vector<float>> protos;
  for (int64_t k = 0; k < options_.classes; ++k) {
    protos.push_back(make_prototype(proto_rng, options_.channels, options_.image_size));
  }
  Dataset d;
  d.name = name;
  d.num_classes = options_.classes;
  d.train = make_split(options_, protos, options_.train_per_class, 1);
  d.test = make_split(options_, protos, options_.test_per_class, 2);
  for (int64_t k = 0; k < options_.classes; ++k)
    d.class_names.push_back("class " + std::to_string(k));
  return d;
}

}  // namespace evostream::streams
