#include "streams/labelled_images.hpp"

#include <fmt/format.h>

#include "common/data_error.hpp"

namespace evostream::streams {

using common::DataError;

ImageSet labelled_images(ImageSet images, std::vector<int64_t> labels, int64_t num_classes,
                         const std::string& images_path, const std::string& labels_path) {
  if (static_cast<int64_t>(labels.size()) != images.size()) {
    throw DataError(labels_path, fmt::format("expected {} labels (one per image of {}), found {}",
                                             images.size(), images_path, labels.size()));
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes) {
      throw DataError(labels_path, fmt::format("label {} of item {} is out of range: expected "
                                               "0..{}",
                                               labels[i], i, num_classes - 1));
    }
  }
  images.labels() = std::move(labels);
  return images;
}

}  // namespace evostream::streams
