#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "streams/image_set.hpp"

namespace evostream::streams {

/// Reader for the CIFAR-10 and CIFAR-100 binary batch files.
///
/// A CIFAR-10 record is 1 label byte + 3072 pixel bytes (3 × 32 × 32, channel-first); a CIFAR-100
/// record is 1 coarse + 1 fine label byte + 3072 pixel bytes. A file whose size is not a whole
/// number of records, or whose labels are out of range, raises `DataError`.
class CifarReader {
 public:
  /// Which CIFAR variant, and for CIFAR-100 which label to keep.
  enum class Variant { kCifar10, kCifar100Fine, kCifar100Coarse };

  /// Bytes per record of `variant` (3073 or 3074).
  static int64_t record_size(Variant variant);
  /// Number of classes of `variant` (10, 100 or 20).
  static int64_t num_classes(Variant variant);

  /// Reads one batch file.
  static ImageSet read(const std::string& path, Variant variant);
  /// Reads several batch files into one set, in order.
  static ImageSet read(const std::vector<std::string>& paths, Variant variant);
};

}  // namespace evostream::streams
