#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streams/image_set.hpp"

namespace evostream::streams {

/// Reader for folders of PNG and JPEG files, one sub-folder per class, as torchvision's
/// `ImageFolder` reads them.
///
/// Classes are the sub-folders, sorted by name; their files ending in `.png`, `.jpg` or
/// `.jpeg` (any case) are read in name order, and other files are skipped. Each image is
/// converted to the requested channels (grayscale or RGB, by stb_image's rules) and stretched to
/// `side` × `side` (stb_image_resize). Errors raise `DataError` naming the file: an unreadable
/// or corrupt image, one over 64 MB or 16,384 pixels a side, a class folder without images.
class ImageFolderReader {
 public:
  /// The class sub-folders of `dir`, sorted by name (hidden ones skipped); raises `DataError`
  /// when `dir` is not a directory or has none.
  static std::vector<std::string> class_names(const std::string& dir);
  /// The image files of one class folder, sorted by name.
  static std::vector<std::string> image_files(const std::string& class_dir);
  /// Decodes one PNG or JPEG file into `channels` × `side` × `side` 8-bit pixels.
  static std::vector<uint8_t> decode(const std::string& file, int64_t channels, int64_t side);
  /// Decodes an image held in memory (`name` names it in errors).
  static std::vector<uint8_t> decode_bytes(const std::string& name, const std::string& bytes,
                                           int64_t channels, int64_t side);
  /// Reads `dir/<class>/*` for `classes` (class k gets label k).
  static ImageSet read(const std::string& dir, const std::vector<std::string>& classes,
                       int64_t channels, int64_t side);
  /// Reads `dir/<class>/*` as (train, test): of each class's n files, round(`test_fraction` ×
  /// n), at least one when n ≥ 2, drawn from `seed`, go to test; each split keeps name order.
  static std::pair<ImageSet, ImageSet> read_split(const std::string& dir,
                                                  const std::vector<std::string>& classes,
                                                  int64_t channels, int64_t side,
                                                  double test_fraction, uint64_t seed);
};

}  // namespace evostream::streams
