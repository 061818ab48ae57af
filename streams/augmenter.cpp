#include "streams/augmenter.hpp"

#include <algorithm>
#include <cmath>

namespace evostream::streams {

Augmenter::Augmenter(AugmentOptions options, int64_t channels, int64_t height, int64_t width,
                     uint64_t seed)
    : options_(options),
      channels_(channels),
      height_(height),
      width_(width),
      rng_(seed),
      scratch_(static_cast<size_t>(channels * height * width)) {}

void Augmenter::crop(float* image) {
  const double area = (options_.crop_area_min + (1.0 - options_.crop_area_min) * rng_.uniform01()) *
                      static_cast<double>(height_ * width_);
  const double log_ratio =
      std::log(3.0 / 4.0) + (std::log(4.0 / 3.0) - std::log(3.0 / 4.0)) * rng_.uniform01();
  const double ratio = std::exp(log_ratio);
  const int64_t ch = std::clamp<int64_t>(std::llround(std::sqrt(area / ratio)), 1, height_);
  const int64_t cw = std::clamp<int64_t>(std::llround(std::sqrt(area * ratio)), 1, width_);
  const auto top = static_cast<int64_t>(rng_.uniform_int(static_cast<uint64_t>(height_ - ch + 1)));
  const auto left = static_cast<int64_t>(rng_.uniform_int(static_cast<uint64_t>(width_ - cw + 1)));
  std::copy(image, image + channels_ * height_ * width_, scratch_.begin());
  const double sy = static_cast<double>(ch) / static_cast<double>(height_);
  const double sx = static_cast<double>(cw) / static_cast<double>(width_);
  for (int64_t c = 0; c < channels_; ++c) {
    const float* src = scratch_.data() + c * height_ * width_;
    float* dst = image + c * height_ * width_;
    for (int64_t y = 0; y < height_; ++y) {
      const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, static_cast<double>(ch - 1)) + top;
      const auto y0 = static_cast<int64_t>(fy);
      const int64_t y1 = std::min(y0 + 1, top + ch - 1);
      const double wy = fy - static_cast<double>(y0);
      for (int64_t x = 0; x < width_; ++x) {
        const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, static_cast<double>(cw - 1)) + left;
        const auto x0 = static_cast<int64_t>(fx);
        const int64_t x1 = std::min(x0 + 1, left + cw - 1);
        const double wx = fx - static_cast<double>(x0);
        const double v =
            (1 - wy) * ((1 - wx) * src[y0 * width_ + x0] + wx * src[y0 * width_ + x1]) +
            wy * ((1 - wx) * src[y1 * width_ + x0] + wx * src[y1 * width_ + x1]);
        dst[y * width_ + x] = static_cast<float>(v);
      }
    }
  }
}

void Augmenter::apply(float* images, int64_t count) {
  if (options_.identity())
    return;
  const int64_t plane = height_ * width_;
  const int64_t numel = channels_ * plane;
  for (int64_t i = 0; i < count; ++i) {
    float* img = images + i * numel;
    if (options_.crop_area_min < 1.0)
      crop(img);
    if (options_.flip && rng_.bernoulli(0.5)) {
      for (int64_t r = 0; r < channels_ * height_; ++r)
        std::reverse(img + r * width_, img + (r + 1) * width_);
    }
    if (options_.brightness > 0.0) {
      const auto delta = static_cast<float>((2.0 * rng_.uniform01() - 1.0) * options_.brightness);
      for (int64_t p = 0; p < numel; ++p)
        img[p] += delta;
    }
    if (options_.contrast > 0.0) {
      const auto factor =
          static_cast<float>(1.0 + (2.0 * rng_.uniform01() - 1.0) * options_.contrast);
      for (int64_t c = 0; c < channels_; ++c) {
        float* pl = img + c * plane;
        double mean = 0;
        for (int64_t p = 0; p < plane; ++p)
          mean += pl[p];
        const auto m = static_cast<float>(mean / static_cast<double>(plane));
        for (int64_t p = 0; p < plane; ++p)
          pl[p] = (pl[p] - m) * factor + m;
      }
    }
    for (int64_t p = 0; p < numel; ++p)
      img[p] = std::clamp(img[p], 0.0f, 1.0f);
  }
}

}  // namespace evostream::streams
