#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "streams/image_set.hpp"

namespace evostream::streams {

/// Draws shuffled training batches from an image set, epoch after epoch.
///
/// Each epoch visits every image once in an order drawn from (seed, epoch); a batch that reaches
/// the end of an epoch continues into the next, so sets smaller than a batch work too. Filling a
/// batch allocates nothing: pixels are scaled to [0, 1] floats straight into the caller's buffer.
class BatchSampler {
 public:
  /// Samples `batch_size` images per batch from `set`, which must outlive the sampler.
  BatchSampler(const ImageSet& set, int64_t batch_size, uint64_t seed);

  /// Fills the next batch: `images` gets batch × C × H × W floats, `labels` batch integers.
  void next(float* images, int64_t* labels);
  /// The indices the next batch will hold, advancing as `next` does (for order checks).
  const std::vector<int64_t>& next_indices();

  int64_t batch_size() const noexcept { return batch_size_; }
  /// Completed epochs so far.
  int64_t epoch() const noexcept { return epoch_; }

  /// Writes image `i` of `set` as floats in [0, 1] to `out`.
  static void to_float(const ImageSet& set, int64_t i, float* out);
  /// Writes images [first, first + count) of `set` back to back as floats in [0, 1] to `out`.
  static void to_float(const ImageSet& set, int64_t first, int64_t count, float* out);

 private:
  void advance();

  const ImageSet& set_;
  int64_t batch_size_;
  uint64_t seed_;
  std::vector<int64_t> order_;
  std::vector<int64_t> batch_;
  size_t position_ = 0;
  int64_t epoch_ = 0;
};

}  // namespace evostream::streams
