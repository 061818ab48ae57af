#pragma once

#include <cstdint>

#include "streams/dataset.hpp"

namespace evostream::streams {

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

/// Generates a small, learnable image-classification dataset from a seed.
///
/// Each class has a prototype made of a few Gaussian blobs per channel; a sample is its class
/// prototype shifted by up to `max_shift` pixels, scaled in contrast by ±20% and overlaid with
/// Gaussian noise. The same options always give the same bytes.
class SyntheticGenerator {
 public:
  explicit SyntheticGenerator(SyntheticOptions options);

  /// Generates the train and test sets; `name` becomes the dataset's name.
  Dataset generate(const std::string& name) const;

 private:
  SyntheticOptions options_;
};

}  // namespace evostream::streams
