#pragma once

#include <cstdint>
#include <vector>

#include "common/rng.hpp"

namespace evostream::streams {

/// Settings of the random training augmentation (µ2Net's `ds_*` hyperparameters).
struct AugmentOptions {
  /// Smallest area share of a random crop (aspect ratio in [3/4, 4/3]), resized back to the full
  /// image; 1 disables cropping. Default: 1.0.
  double crop_area_min = 1.0;
  /// Flip each image left-right with probability 0.5. Default: false.
  bool flip = false;
  /// Add a uniform shift in [-brightness, brightness] to every pixel. Default: 0.
  double brightness = 0.0;
  /// Scale each channel's deviation from its mean by a factor in [1 - contrast, 1 + contrast].
  /// Default: 0.
  double contrast = 0.0;

  /// True when no random change is made at all.
  bool identity() const {
    return crop_area_min >= 1.0 && !flip && brightness == 0.0 && contrast == 0.0;
  }
};

/// Applies random crops, flips, brightness and contrast changes to batches of float images in
/// [0, 1], in place, with draws from its own seeded generator. Allocates only at construction.
class Augmenter {
 public:
  Augmenter(AugmentOptions options, int64_t channels, int64_t height, int64_t width, uint64_t seed);

  /// Augments `count` images stored contiguously (C × H × W floats each) at `images`.
  void apply(float* images, int64_t count);

 private:
  void crop(float* image);

  AugmentOptions options_;
  int64_t channels_;
  int64_t height_;
  int64_t width_;
  common::Rng rng_;
  std::vector<float> scratch_;
};

}  // namespace evostream::streams
