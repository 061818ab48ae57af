#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "streams/image_set.hpp"

namespace evostream::streams {

/// How an `.npy` array of images orders its axes.
enum class NpyLayout {
  /// N×H×W is one channel; for rank 4, the axis of 1 to 4 (channels) tells: N×H×W×C or
  /// N×C×H×W; when both ends could be channels, the reading that gives square images wins. An
  /// array where that does not decide (N×3×3×3, N×3×4×2) must be told.
  kAuto,
  /// N×H×W×C, as NumPy, Keras and PIL arrays are.
  kNhwc,
  /// N×C×H×W, as PyTorch tensors are.
  kNchw,
};

/// Reader for NumPy's `.npy` files (format versions 1 to 3, plain or gzip-compressed) of images
/// and labels, as a Python pipeline saves them with `numpy.save`.
///
/// Images are `uint8` (0..255) or `float32` in [0, 1] (scaled by 255 and rounded); labels are
/// any integer type. Every malformed input raises `DataError` naming the file, what was expected
/// and what was found: a bad magic string or header, a big-endian or Fortran-ordered array, an
/// unsupported type, a shape that is not images, truncated data or trailing bytes, a float out
/// of [0, 1], a label out of range, image and label counts that differ. Nothing is allocated
/// before the file shows it holds what its header announces.
class NpyReader {
 public:
  /// An array's header.
  struct Header {
    /// The NumPy type string, e.g. `|u1`, `<f4`, `<i8`.
    std::string descr;
    /// Whether the data are in Fortran (column-major) order.
    bool fortran_order = false;
    /// The array's shape.
    std::vector<int64_t> shape;
  };

  /// Parses the header of the file whose first bytes are `bytes` (magic, version, length and
  /// the header's Python dictionary); sets `data_offset` to where the data start. `file` names
  /// the file in errors.
  static Header parse_header(const std::string& file, const std::string& bytes,
                             int64_t& data_offset);
  /// Reads an array of images into a set whose labels are all 0.
  static ImageSet read_images(const std::string& path, NpyLayout layout = NpyLayout::kAuto);
  /// Reads a one-dimensional array of integer labels.
  static std::vector<int64_t> read_labels(const std::string& path);
  /// Reads images and their labels; labels must lie in [0, num_classes).
  static ImageSet read(const std::string& images_path, const std::string& labels_path,
                       int64_t num_classes, NpyLayout layout = NpyLayout::kAuto);
};

}  // namespace evostream::streams
