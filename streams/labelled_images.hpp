#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "streams/image_set.hpp"

namespace evostream::streams {

/// `images` with `labels` attached, as the readers of image and label files give them: one
/// label per image, each in [0, num_classes). Raises `DataError` naming `labels_path` (and
/// `images_path` for a count that differs) otherwise.
ImageSet labelled_images(ImageSet images, std::vector<int64_t> labels, int64_t num_classes,
                         const std::string& images_path, const std::string& labels_path);

}  // namespace evostream::streams
