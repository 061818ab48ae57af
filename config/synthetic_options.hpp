#pragma once

#include <cstdint>

namespace evostream::config {

/// Options of the seeded synthetic image-classification generator.
///
/// Example:
/// ```
/// Dataset d = SyntheticGenerator(SyntheticOptions{}.with_seed(3)).generate("synthetic-3");
/// ```
struct SyntheticOptions {
  /// Number of classes. Default: 10.
  int64_t classes = 10;
  /// Channels per image. Default: 1.
  int64_t channels = 1;
  /// Height and width of the square images. Default: 28.
  int64_t image_size = 28;
  /// Training images per class. Default: 500.
  int64_t train_per_class = 500;
  /// Test images per class. Default: 100.
  int64_t test_per_class = 100;
  /// Standard deviation of the per-pixel Gaussian noise, in [0, 1] pixel units. Default: 0.15.
  double noise = 0.15;
  /// Largest shift of a sample against its class prototype, in pixels. Default: 2.
  int64_t max_shift = 2;
  /// Seed: a different seed gives different prototypes, hence a different task. Default: 0.
  uint64_t seed = 0;

  SyntheticOptions& with_seed(uint64_t s) {
    seed = s;
    return *this;
  }
};

}  // namespace evostream::config
