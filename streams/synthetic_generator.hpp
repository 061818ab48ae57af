#pragma once

#include <cstdint>

#include "config/synthetic_options.hpp"
#include "streams/dataset.hpp"

namespace evostream::streams {

/// Generates a small, learnable image-classification dataset from a seed.
///
/// Each class has a prototype made of a few Gaussian blobs per channel; a sample is its class
/// prototype shifted by up to `max_shift` pixels, scaled in contrast by ±20% and overlaid with
/// Gaussian noise. The same options always give the same bytes.
class SyntheticGenerator {
 public:
  explicit SyntheticGenerator(config::SyntheticOptions options);

  /// Generates the train and test sets; `name` becomes the dataset's name.
  Dataset generate(const std::string& name) const;

 private:
  config::SyntheticOptions options_;
};

}  // namespace evostream::streams
