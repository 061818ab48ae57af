#include <catch2/catch.hpp>

#include "common/data_error.hpp"
#include "streams/gz_file.hpp"
#include "support/test_files.hpp"

using evostream::common::DataError;
using evostream::streams::GzFile;
using namespace evostream::testing;
using Catch::Matchers::Contains;

TEST_CASE("A gzip stream that expands beyond the reader's limit is refused", "[streams]") {
  // 3 MB of zeros compress to a few kilobytes: the compressed size says nothing.
  TempDir dir;
  write_bytes(dir.file("bomb.gz"), std::vector<uint8_t>(3 << 20, 0), true);
  GzFile file(dir.file("bomb.gz"));
  std::vector<uint8_t> out;
  CHECK_THROWS_WITH(file.read_all(out, 1 << 20),
                    Contains("bomb.gz: expected at most 1048576 bytes (uncompressed), found more"));
  GzFile again(dir.file("bomb.gz"));
  CHECK(again.read_all(out, 3 << 20) == (3 << 20));
  CHECK(out.size() == (3u << 20));
}

TEST_CASE("Bytes a header announces are read whole or reported as truncated", "[streams]") {
  TempDir dir;
  write_bytes(dir.file("f"), std::vector<uint8_t>(1000, 7));
  std::vector<uint8_t> out;
  GzFile file(dir.file("f"));
  file.read_announced(out, 600, "pixels");
  CHECK(out.size() == 600);
  CHECK(out[599] == 7);
  CHECK_THROWS_WITH(file.read_announced(out, int64_t{1} << 33, "pixels"),
                    Contains("truncated: expected 8589934592 bytes of pixels, found 400"));
  CHECK(out.capacity() <= (size_t{16} << 20));
}
