#include <catch2/catch.hpp>
#include <fstream>

#include "common/data_error.hpp"
#include "streams/idx_reader.hpp"
#include "support/test_files.hpp"

using evostream::common::DataError;
using evostream::streams::IdxReader;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

std::vector<uint8_t> labels_cycling(uint32_t n, uint32_t classes) {
  std::vector<uint8_t> l;
  for (uint32_t i = 0; i < n; ++i)
    l.push_back(static_cast<uint8_t>(i % classes));
  return l;
}

}  // namespace

TEST_CASE("IDX images and labels are read from plain and gzip files alike", "[streams]") {
  TempDir dir;
  const auto images = idx_image_bytes(5, 3, 4, 9);
  write_bytes(dir.file("img"), images);
  write_bytes(dir.file("img.gz"), images, true);
  write_bytes(dir.file("lab.gz"), idx_label_bytes(labels_cycling(5, 3)), true);
  const auto plain = IdxReader::read(dir.file("img"), dir.file("lab.gz"), 3);
  const auto gz = IdxReader::read(dir.file("img.gz"), dir.file("lab.gz"), 3);
  REQUIRE(plain.size() == 5);
  CHECK(plain.channels() == 1);
  CHECK(plain.height() == 3);
  CHECK(plain.width() == 4);
  CHECK(plain.pixels() == gz.pixels());
  CHECK(std::equal(plain.pixels().begin(), plain.pixels().end(), images.begin() + 16));
  CHECK(plain.labels() == std::vector<int64_t>{0, 1, 2, 0, 1});
}

TEST_CASE("A missing IDX file is reported by name", "[streams]") {
  TempDir dir;
  CHECK_THROWS_WITH(IdxReader::read_images(dir.file("absent.gz")),
                    Contains("absent.gz: file not found"));
  CHECK_THROWS_AS(IdxReader::read_labels(dir.file("absent.gz")), DataError);
  CHECK_THROWS_WITH(IdxReader::read_images(dir.path()),
                    Contains("expected a file, found a directory"));
}

TEST_CASE("A wrong IDX magic number names the expected and found values", "[streams]") {
  TempDir dir;
  write_bytes(dir.file("lab"), idx_label_bytes({1, 2}));
  CHECK_THROWS_WITH(IdxReader::read_images(dir.file("lab")),
                    Contains("lab: expected magic number 2051 (unsigned-byte images), found 2049"));
  write_bytes(dir.file("img"), idx_image_bytes(1, 2, 2, 0));
  CHECK_THROWS_WITH(IdxReader::read_labels(dir.file("img")),
                    Contains("expected magic number 2049 (unsigned-byte labels), found 2051"));
}

TEST_CASE("A truncated IDX file is detected whether plain or gzip", "[streams]") {
  TempDir dir;
  auto images = idx_image_bytes(4, 5, 5, 1);
  images.resize(images.size() - 7);
  write_bytes(dir.file("img"), images);
  CHECK_THROWS_WITH(
      IdxReader::read_images(dir.file("img")),
      Contains("truncated: expected 100 bytes of pixels (4 images of 5 × 5), found 93"));
  auto labels = idx_label_bytes({1, 2, 3});
  labels.resize(labels.size() - 1);
  write_bytes(dir.file("lab"), labels);
  CHECK_THROWS_WITH(IdxReader::read_labels(dir.file("lab")),
                    Contains("truncated: expected 3 bytes of labels"));
  write_bytes(dir.file("short"), {0, 0, 8});
  CHECK_THROWS_WITH(IdxReader::read_images(dir.file("short")),
                    Contains("expected 4 bytes of the magic number, found 3"));

  // A gzip stream cut in the middle.
  write_bytes(dir.file("full.gz"), idx_image_bytes(50, 28, 28, 1), true);
  std::ifstream in(dir.file("full.gz"), std::ios::binary);
  std::vector<uint8_t> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gz.resize(gz.size() / 2);
  write_bytes(dir.file("cut.gz"), gz);
  CHECK_THROWS_WITH(IdxReader::read_images(dir.file("cut.gz")), Contains("cut.gz: truncated"));
}

TEST_CASE("Trailing bytes after the announced IDX data are rejected", "[streams]") {
  TempDir dir;
  auto labels = idx_label_bytes({1, 2});
  labels.push_back(7);
  write_bytes(dir.file("lab"), labels);
  CHECK_THROWS_WITH(IdxReader::read_labels(dir.file("lab")), Contains("found more bytes"));
}

TEST_CASE("An image/label count mismatch is reported", "[streams]") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_image_bytes(4, 2, 2, 0));
  write_bytes(dir.file("lab"), idx_label_bytes({0, 1, 0}));
  CHECK_THROWS_WITH(IdxReader::read(dir.file("img"), dir.file("lab"), 2),
                    Contains("lab: expected 4 labels (one per image of"));
}

TEST_CASE("An IDX label out of range is reported with its position", "[streams]") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_image_bytes(3, 2, 2, 0));
  write_bytes(dir.file("lab"), idx_label_bytes({0, 9, 1}));
  CHECK_THROWS_WITH(IdxReader::read(dir.file("img"), dir.file("lab"), 5),
                    Contains("label 9 of item 1 is out of range: expected 0..4"));
}

TEST_CASE("An absurd IDX header does not allocate", "[streams]") {
  TempDir dir;
  write_bytes(dir.file("img"), {0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28});
  CHECK_THROWS_WITH(IdxReader::read_images(dir.file("img")),
                    Contains("expected at most 100000000 images"));
}

TEST_CASE("An IDX header claiming more than its file holds is refused before the memory is taken",
          "[streams]") {
  // 4,000,000 images of 28 × 28 announced (3.1 GB) in a file of 116 bytes.
  TempDir dir;
  auto bytes = idx_image_bytes(4, 5, 5, 1);
  bytes[4] = 0x00, bytes[5] = 0x3d, bytes[6] = 0x09, bytes[7] = 0x00;  // count 4,000,000
  bytes[11] = 28, bytes[15] = 28;
  write_bytes(dir.file("img"), bytes);
  const long before = peak_resident_kib();
  CHECK_THROWS_WITH(
      IdxReader::read_images(dir.file("img")),
      Contains("truncated: expected 3136000000 bytes of pixels") && Contains("found 100"));
  CHECK(peak_resident_kib() - before < 256 * 1024);
  // Labels alike, gzip'd.
  auto labels = idx_label_bytes({1, 2, 3});
  labels[4] = 0x05, labels[5] = 0xf5, labels[6] = 0xe1, labels[7] = 0x00;  // 100,000,000
  write_bytes(dir.file("lab.gz"), labels, true);
  CHECK_THROWS_WITH(IdxReader::read_labels(dir.file("lab.gz")),
                    Contains("truncated: expected 100000000 bytes of labels"));
  CHECK(peak_resident_kib() - before < 256 * 1024);
}
