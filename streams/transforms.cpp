#include "streams/transforms.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace evostream::streams {

using common::Rng;

namespace {

// Bilinear sample of plane (h × w) at (y, x) in pixel-centre coordinates; 0 outside.
float bilinear(const uint8_t* plane, int64_t h, int64_t w, double y, double x) {
  const double y0f = std::floor(y);
  const double x0f = std::floor(x);
  const auto y0 = static_cast<int64_t>(y0f);
  const auto x0 = static_cast<int64_t>(x0f);
  const double fy = y - y0f;
  const double fx = x - x0f;
  auto at = [&](int64_t yy, int64_t xx) -> double {
    return (yy >= 0 && yy < h && xx >= 0 && xx < w) ? plane[yy * w + xx] : 0.0;
  };
  return static_cast<float>((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
                            fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1)));
}

uint8_t to_byte(double v) {
  return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0)));
}

}  // namespace

ImageSet Transforms::subset_classes(const ImageSet& set, const std::vector<int64_t>& classes) {
  std::vector<int64_t> relabel;
  for (size_t k = 0; k < classes.size(); ++k) {
    const auto c = static_cast<size_t>(classes[k]);
    if (relabel.size() <= c)
      relabel.resize(c + 1, -1);
    relabel[c] = static_cast<int64_t>(k);
  }
  ImageSet out(set.channels(), set.height(), set.width());
  for (int64_t i = 0; i < set.size(); ++i) {
    const auto l = static_cast<size_t>(set.label(i));
    if (l < relabel.size() && relabel[l] >= 0)
      out.push_back(set.image(i), relabel[l]);
  }
  return out;
}

ImageSet Transforms::subsample(const ImageSet& set, int64_t max_count, Rng& rng) {
  if (max_count <= 0 || set.size() <= max_count)
    return set;
  std::vector<int64_t> order = rng.permutation(set.size());
  order.resize(static_cast<size_t>(max_count));
  std::sort(order.begin(), order.end());
  return set.select(order);
}

ImageSet Transforms::few_shot(const ImageSet& set, int64_t shots, int64_t num_classes, Rng& rng) {
  std::vector<int64_t> keep;
  for (auto& idx : set.indices_by_label(num_classes)) {
    rng.shuffle(idx);
    const auto n = std::min<size_t>(idx.size(), static_cast<size_t>(shots));
    keep.insert(keep.end(), idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::sort(keep.begin(), keep.end());
  return set.select(keep);
}

std::pair<ImageSet, ImageSet> Transforms::carve_validation(const ImageSet& set, double fraction,
                                                           int64_t num_classes, Rng& rng) {
  std::vector<int64_t> train;
  std::vector<int64_t> validation;
  for (auto& idx : set.indices_by_label(num_classes)) {
    rng.shuffle(idx);
    auto n = static_cast<size_t>(std::llround(fraction * static_cast<double>(idx.size())));
    if (idx.size() >= 2)
      n = std::clamp<size_t>(n, 1, idx.size() - 1);
    validation.insert(validation.end(), idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n));
    train.insert(train.end(), idx.begin() + static_cast<std::ptrdiff_t>(n), idx.end());
  }
  std::sort(train.begin(), train.end());
  std::sort(validation.begin(), validation.end());
  return {set.select(train), set.select(validation)};
}

ImageSet Transforms::resize(const ImageSet& set, int64_t side) {
  if (side <= 0)
    throw std::invalid_argument("Transforms::resize: side must be > 0");
  if (set.height() == side && set.width() == side)
    return set;
  ImageSet out(set.channels(), side, side);
  out.pixels().resize(static_cast<size_t>(set.size() * out.image_numel()));
  out.labels() = set.labels();
  const double sy = static_cast<double>(set.height()) / side;
  const double sx = static_cast<double>(set.width()) / side;
  for (int64_t i = 0; i < set.size(); ++i) {
    for (int64_t c = 0; c < set.channels(); ++c) {
      const uint8_t* src = set.image(i) + c * set.height() * set.width();
      uint8_t* dst = out.image(i) + c * side * side;
      for (int64_t y = 0; y < side; ++y) {
        for (int64_t x = 0; x < side; ++x) {
          // Half-pixel centres, clamped to the edge (like align_corners = false).
          const double yy = std::clamp((y + 0.5) * sy - 0.5, 0.0, set.height() - 1.0);
          const double xx = std::clamp((x + 0.5) * sx - 0.5, 0.0, set.width() - 1.0);
          dst[y * side + x] = to_byte(bilinear(src, set.height(), set.width(), yy, xx));
        }
      }
    }
  }
  return out;
}

void Transforms::rotate(ImageSet& set, double degrees) {
  if (std::fmod(degrees, 360.0) == 0.0)
    return;
  const int64_t h = set.height();
  const int64_t w = set.width();
  const double rad = degrees * M_PI / 180.0;
  const double cs = std::cos(rad);
  const double sn = std::sin(rad);
  const double cy = (h - 1) / 2.0;
  const double cx = (w - 1) / 2.0;
  std::vector<uint8_t> plane(static_cast<size_t>(h * w));
  for (int64_t i = 0; i < set.size(); ++i) {
    for (int64_t c = 0; c < set.channels(); ++c) {
      uint8_t* img = set.image(i) + c * h * w;
      std::copy(img, img + h * w, plane.begin());
      for (int64_t y = 0; y < h; ++y) {
        for (int64_t x = 0; x < w; ++x) {
          // Inverse map: the output pixel (y, x) reads the source rotated back by `degrees`.
          // Image rows grow downwards, so a counter-clockwise turn uses -sin for y.
          const double dy = y - cy;
          const double dx = x - cx;
          const double sx = cs * dx - sn * dy + cx;
          const double sy = sn * dx + cs * dy + cy;
          img[y * w + x] = to_byte(bilinear(plane.data(), h, w, sy, sx));
        }
      }
    }
  }
}

void Transforms::permute_pixels(ImageSet& set, const std::vector<int64_t>& permutation) {
  const int64_t hw = set.height() * set.width();
  if (static_cast<int64_t>(permutation.size()) != hw) {
    throw std::invalid_argument("Transforms::permute_pixels: permutation size != H × W");
  }
  std::vector<uint8_t> plane(static_cast<size_t>(hw));
  for (int64_t i = 0; i < set.size(); ++i) {
    for (int64_t c = 0; c < set.channels(); ++c) {
      uint8_t* img = set.image(i) + c * hw;
      std::copy(img, img + hw, plane.begin());
      for (int64_t p = 0; p < hw; ++p)
        img[p] = plane[static_cast<size_t>(permutation[p])];
    }
  }
}

void Transforms::invert(ImageSet& set) {
  for (auto& v : set.pixels())
    v = static_cast<uint8_t>(255 - v);
}

}  // namespace evostream::streams
