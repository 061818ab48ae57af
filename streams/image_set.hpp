#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evostream::streams {

/// A set of labelled images held in memory as 8-bit pixels, channel-first.
///
/// Pixels are stored as `uint8_t` (N × C × H × W) to keep a dozen Fashion-MNIST-sized tasks in
/// a few hundred MB; they are scaled to [0, 1] floats only when a batch is sampled.
class ImageSet {
 public:
  ImageSet() = default;
  /// An empty set of images with the given shape.
  ImageSet(int64_t channels, int64_t height, int64_t width);

  /// Number of images.
  int64_t size() const noexcept { return static_cast<int64_t>(labels_.size()); }
  bool empty() const noexcept { return labels_.empty(); }
  int64_t channels() const noexcept { return channels_; }
  int64_t height() const noexcept { return height_; }
  int64_t width() const noexcept { return width_; }
  /// Pixels per image (C × H × W).
  int64_t image_numel() const noexcept { return channels_ * height_ * width_; }

  /// The pixels of image `i` (`image_numel()` bytes).
  const uint8_t* image(int64_t i) const { return pixels_.data() + i * image_numel(); }
  uint8_t* image(int64_t i) { return pixels_.data() + i * image_numel(); }
  int64_t label(int64_t i) const { return labels_[static_cast<size_t>(i)]; }

  const std::vector<uint8_t>& pixels() const noexcept { return pixels_; }
  std::vector<uint8_t>& pixels() noexcept { return pixels_; }
  const std::vector<int64_t>& labels() const noexcept { return labels_; }
  std::vector<int64_t>& labels() noexcept { return labels_; }

  /// Appends one image (`image_numel()` bytes) with its label.
  void push_back(const uint8_t* pixels, int64_t label);
  /// Reserves room for `n` images.
  void reserve(int64_t n);
  /// A new set holding the images at `indices`, in that order.
  ImageSet select(const std::vector<int64_t>& indices) const;
  /// The indices of the images of each label 0..num_labels-1, in order.
  std::vector<std::vector<int64_t>> indices_by_label(int64_t num_labels) const;
  /// How many images carry each label 0..num_labels-1.
  std::vector<int64_t> label_counts(int64_t num_labels) const;

 private:
  int64_t channels_ = 0;
  int64_t height_ = 0;
  int64_t width_ = 0;
  std::vector<uint8_t> pixels_;
  std::vector<int64_t> labels_;
};

}  // namespace evostream::streams
