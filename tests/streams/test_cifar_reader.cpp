#include <catch2/catch.hpp>

#include "common/data_error.hpp"
#include "config/scenario.hpp"
#include "streams/cifar_reader.hpp"
#include "support/test_files.hpp"

using evostream::streams::CifarReader;
using Variant = evostream::streams::CifarReader::Variant;
using namespace evostream::testing;
using Catch::Matchers::Contains;

TEST_CASE("A scenario counts a CIFAR dataset's classes as the reader labels them", "[streams]") {
  evostream::config::DatasetSpec spec;
  spec.kind = evostream::config::DatasetSpec::Kind::kCifar10;
  CHECK(spec.classes() == CifarReader::num_classes(Variant::kCifar10));
  spec.kind = evostream::config::DatasetSpec::Kind::kCifar100;
  spec.coarse = false;
  CHECK(spec.classes() == CifarReader::num_classes(Variant::kCifar100Fine));
  spec.coarse = true;
  CHECK(spec.classes() == CifarReader::num_classes(Variant::kCifar100Coarse));
}

TEST_CASE("CIFAR-10 records are read as 3 × 32 × 32 images with their labels", "[streams]") {
  TempDir dir;
  const auto bytes = cifar_bytes(7, 1, 10, 3);
  write_bytes(dir.file("b.bin"), bytes);
  const auto set = CifarReader::read(dir.file("b.bin"), Variant::kCifar10);
  REQUIRE(set.size() == 7);
  CHECK(set.channels() == 3);
  CHECK(set.height() == 32);
  CHECK(set.label(3) == 3);
  CHECK(std::equal(set.image(2), set.image(2) + 3072, bytes.begin() + 2 * 3073 + 1));
}

TEST_CASE("CIFAR-100 keeps the fine or the coarse label", "[streams]") {
  TempDir dir;
  auto bytes = cifar_bytes(3, 2, 20, 3);
  bytes[0] = 4;   // coarse label of record 0
  bytes[1] = 77;  // fine label of record 0
  write_bytes(dir.file("train.bin"), bytes);
  CHECK(CifarReader::read(dir.file("train.bin"), Variant::kCifar100Fine).label(0) == 77);
  CHECK(CifarReader::read(dir.file("train.bin"), Variant::kCifar100Coarse).label(0) == 4);
}

TEST_CASE("Several CIFAR batches are read into one set in order", "[streams]") {
  TempDir dir;
  write_bytes(dir.file("a.bin"), cifar_bytes(2, 1, 10, 1));
  write_bytes(dir.file("b.bin"), cifar_bytes(3, 1, 10, 2));
  const auto set = CifarReader::read({dir.file("a.bin"), dir.file("b.bin")}, Variant::kCifar10);
  CHECK(set.size() == 5);
  CHECK(set.labels() == std::vector<int64_t>{0, 1, 0, 1, 2});
}

TEST_CASE("A CIFAR file of the wrong record size is rejected", "[streams]") {
  TempDir dir;
  write_bytes(dir.file("c100.bin"), cifar_bytes(3, 2, 10, 1));
  CHECK_THROWS_WITH(CifarReader::read(dir.file("c100.bin"), Variant::kCifar10),
                    Contains("c100.bin: expected a whole number of 3073-byte CIFAR-10 records, "
                             "found 9222 bytes"));
  write_bytes(dir.file("empty.bin"), {});
  CHECK_THROWS_WITH(CifarReader::read(dir.file("empty.bin"), Variant::kCifar10),
                    Contains("found 0 bytes"));
}

TEST_CASE("A CIFAR label out of range is reported", "[streams]") {
  TempDir dir;
  auto bytes = cifar_bytes(2, 1, 10, 1);
  bytes[3073] = 12;
  write_bytes(dir.file("b.bin"), bytes);
  CHECK_THROWS_WITH(CifarReader::read(dir.file("b.bin"), Variant::kCifar10),
                    Contains("label 12 of record 1 is out of range: expected 0..9"));
}

TEST_CASE("A missing CIFAR file is reported by name", "[streams]") {
  TempDir dir;
  CHECK_THROWS_WITH(CifarReader::read(dir.file("data_batch_1.bin"), Variant::kCifar10),
                    Contains("data_batch_1.bin: file not found"));
}
