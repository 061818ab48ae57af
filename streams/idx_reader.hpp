#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "streams/image_set.hpp"

namespace evostream::streams {

/// Reader for the IDX format of the MNIST family (plain or gzip-compressed).
///
/// Every malformed input raises `DataError` naming the file, what was expected and what was found:
/// missing file, wrong magic number, truncated data, trailing bytes, image/label count mismatch,
/// label out of range. Nothing is ever read partially.
class IdxReader {
 public:
  /// Magic number of an IDX file of unsigned-byte images (rank 3).
  static constexpr uint32_t kImagesMagic = 0x00000803;
  /// Magic number of an IDX file of unsigned-byte labels (rank 1).
  static constexpr uint32_t kLabelsMagic = 0x00000801;

  /// Reads an image file into a one-channel set whose labels are all 0.
  static ImageSet read_images(const std::string& path);
  /// Reads a label file.
  static std::vector<int64_t> read_labels(const std::string& path);
  /// Reads an image file and its label file; labels must lie in [0, num_classes).
  static ImageSet read(const std::string& images_path, const std::string& labels_path,
                       int64_t num_classes);
};

}  // namespace evostream::streams
