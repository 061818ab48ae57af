#include "streams/image_set.hpp"

#include <algorithm>
#include <stdexcept>

namespace evostream::streams {

ImageSet::ImageSet(int64_t channels, int64_t height, int64_t width)
    : channels_(channels), height_(height), width_(width) {
  if (channels <= 0 || height <= 0 || width <= 0) {
    throw std::invalid_argument("ImageSet: channels, height and width must be > 0");
  }
}

void ImageSet::push_back(const uint8_t* pixels, int64_t label) {
  pixels_.insert(pixels_.end(), pixels, pixels + image_numel());
  labels_.push_back(label);
}

void ImageSet::reserve(int64_t n) {
  pixels_.reserve(static_cast<size_t>(n * image_numel()));
  labels_.reserve(static_cast<size_t>(n));
}

ImageSet ImageSet::select(const std::vector<int64_t>& indices) const {
  ImageSet out(channels_, height_, width_);
  out.reserve(static_cast<int64_t>(indices.size()));
  for (int64_t i : indices)
    out.push_back(image(i), label(i));
  return out;
}

std::vector<std::vector<int64_t>> ImageSet::indices_by_label(int64_t num_labels) const {
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(num_labels));
  for (int64_t i = 0; i < size(); ++i) {
    const int64_t l = label(i);
    if (l >= 0 && l < num_labels)
      out[static_cast<size_t>(l)].push_back(i);
  }
  return out;
}

std::vector<int64_t> ImageSet::label_counts(int64_t num_labels) const {
  std::vector<int64_t> counts(static_cast<size_t>(num_labels), 0);
  for (int64_t l : labels_) {
    if (l >= 0 && l < num_labels)
      ++counts[static_cast<size_t>(l)];
  }
  return counts;
}

}  // namespace evostream::streams
