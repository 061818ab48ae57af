#pragma once

#include <cstdint>
#include <vector>

#include "common/rng.hpp"
#include "streams/image_set.hpp"

namespace evostream::streams {

/// The task transforms: pure functions from image sets to image sets.
///
/// Geometric transforms (resize, rotate) use bilinear interpolation and round back to 8 bits;
/// pixels that fall outside the source image are black (0).
class Transforms {
 public:
  /// Keeps the images whose label is in `classes` and relabels class `classes[k]` as `k`.
  static ImageSet subset_classes(const ImageSet& set, const std::vector<int64_t>& classes);
  /// Keeps at most `max_count` images, drawn without replacement; the kept ones stay in order.
  static ImageSet subsample(const ImageSet& set, int64_t max_count, common::Rng& rng);
  /// Keeps `shots` images of each label in [0, num_classes) (all of a label that has fewer).
  static ImageSet few_shot(const ImageSet& set, int64_t shots, int64_t num_classes,
                           common::Rng& rng);
  /// Splits `set` into (train, validation): `fraction` of each label's images, rounded, at least
  /// one for every label that has two or more, go to validation.
  static std::pair<ImageSet, ImageSet> carve_validation(const ImageSet& set, double fraction,
                                                        int64_t num_classes, common::Rng& rng);
  /// Resizes every image to `side` × `side` (bilinear, half-pixel centres).
  static ImageSet resize(const ImageSet& set, int64_t side);
  /// Rotates every image by `degrees` counter-clockwise about its centre.
  static void rotate(ImageSet& set, double degrees);
  /// Reorders the pixels of every image by `permutation` (of H × W, the same for each channel):
  /// output pixel i is input pixel permutation[i].
  static void permute_pixels(ImageSet& set, const std::vector<int64_t>& permutation);
  /// Replaces every pixel v by 255 - v.
  static void invert(ImageSet& set);
};

}  // namespace evostream::streams
