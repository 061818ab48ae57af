#include "streams/idx_reader.hpp"

#include <fmt/format.h>

#include "common/data_error.hpp"
#include "streams/gz_file.hpp"
#include "streams/labelled_images.hpp"

namespace evostream::streams {

using common::DataError;

namespace {

// IDX headers are trusted for nothing: a corrupt count must not allocate terabytes.
constexpr uint32_t kMaxCount = 100'000'000;
constexpr uint32_t kMaxSide = 4096;

void expect_magic(GzFile& file, uint32_t expected, const char* kind) {
  const uint32_t magic = file.read_be32("the magic number");
  if (magic != expected) {
    throw DataError(file.path(),
                    fmt::format("expected magic number {} ({}), found {}", expected, kind, magic));
  }
}

void expect_end(GzFile& file) {
  if (!file.at_end()) {
    throw DataError(file.path(),
                    "expected the end of the file after the data its header "
                    "announces, found more bytes");
  }
}

}  // namespace

ImageSet IdxReader::read_images(const std::string& path) {
  GzFile file(path);
  expect_magic(file, kImagesMagic, "unsigned-byte images");
  const uint32_t count = file.read_be32("the image count");
  const uint32_t rows = file.read_be32("the row count");
  const uint32_t cols = file.read_be32("the column count");
  if (count > kMaxCount || rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide) {
    throw DataError(path, fmt::format("expected at most {} images of 1..{} × 1..{} pixels, found "
                                      "{} images of {} × {}",
                                      kMaxCount, kMaxSide, kMaxSide, count, rows, cols));
  }
  ImageSet images(1, rows, cols);
  file.read_announced(images.pixels(), static_cast<int64_t>(count) * rows * cols,
                      fmt::format("pixels ({} images of {} × {})", count, rows, cols));
  images.labels().assign(count, 0);
  expect_end(file);
  return images;
}

std::vector<int64_t> IdxReader::read_labels(const std::string& path) {
  GzFile file(path);
  expect_magic(file, kLabelsMagic, "unsigned-byte labels");
  const uint32_t count = file.read_be32("the label count");
  if (count > kMaxCount) {
    throw DataError(path, fmt::format("expected at most {} labels, found {}", kMaxCount, count));
  }
  std::vector<uint8_t> raw;
  file.read_announced(raw, count, fmt::format("labels ({} labels)", count));
  expect_end(file);
  return {raw.begin(), raw.end()};
}

ImageSet IdxReader::read(const std::string& images_path, const std::string& labels_path,
                         int64_t num_classes) {
  return labelled_images(read_images(images_path), read_labels(labels_path), num_classes,
                         images_path, labels_path);
}

}  // namespace evostream::streams
