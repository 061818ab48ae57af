#include "streams/cifar_reader.hpp"

#include <fmt/format.h>

#include "common/data_error.hpp"
#include "streams/gz_file.hpp"

namespace evostream::streams {

using common::DataError;

namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kPixels = 3 * kSide * kSide;
constexpr int64_t kMaxFileBytes = int64_t{1} << 30;

const char* variant_name(CifarReader::Variant v) {
  return v == CifarReader::Variant::kCifar10 ? "CIFAR-10" : "CIFAR-100";
}

}  // namespace

int64_t CifarReader::record_size(Variant variant) {
  return variant == Variant::kCifar10 ? 1 + kPixels : 2 + kPixels;
}

int64_t CifarReader::num_classes(Variant variant) {
  switch (variant) {
    case Variant::kCifar10:
      return 10;
    case Variant::kCifar100Fine:
      return 100;
    case Variant::kCifar100Coarse:
      return 20;
  }
  return 0;
}

ImageSet CifarReader::read(const std::string& path, Variant variant) {
  GzFile file(path);
  const int64_t record = record_size(variant);
  // Batches are small (30 MB for CIFAR-10, 150 MB for CIFAR-100's train file): read whole, up
  // to a limit well above them, then check the size is a whole number of records.
  std::vector<uint8_t> bytes;
  file.read_all(bytes, kMaxFileBytes);
  const auto size = static_cast<int64_t>(bytes.size());
  if (size == 0 || size % record != 0) {
    throw DataError(path,
                    fmt::format("expected a whole number of {}-byte {} records, found {} "
                                "bytes ({} records and {} bytes left over)",
                                record, variant_name(variant), size, size / record, size % record));
  }
  const int64_t count = size / record;
  const int64_t classes = num_classes(variant);
  const int64_t label_offset = variant == Variant::kCifar100Fine ? 1 : 0;
  const int64_t pixel_offset = record - kPixels;
  ImageSet images(3, kSide, kSide);
  images.reserve(count);
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t* rec = bytes.data() + i * record;
    const int64_t label = rec[label_offset];
    if (label >= classes) {
      throw DataError(path, fmt::format("label {} of record {} is out of range: expected 0..{}",
                                        label, i, classes - 1));
    }
    images.push_back(rec + pixel_offset, label);
  }
  return images;
}

ImageSet CifarReader::read(const std::vector<std::string>& paths, Variant variant) {
  ImageSet all(3, kSide, kSide);
  for (const auto& p : paths) {
    ImageSet part = read(p, variant);
    all.pixels().insert(all.pixels().end(), part.pixels().begin(), part.pixels().end());
    all.labels().insert(all.labels().end(), part.labels().begin(), part.labels().end());
  }
  return all;
}

}  // namespace evostream::streams
