#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "common/data_error.hpp"
#include "streams/npy_reader.hpp"
#include "support/test_files.hpp"

using evostream::common::DataError;
using evostream::streams::NpyLayout;
using evostream::streams::NpyReader;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// The arrays numpy.save wrote into tests/streams/data/npy (the script is in its README).
std::string fixture(const std::string& name) {
  return std::string(EVOSTREAM_SOURCE_DIR) + "/tests/streams/data/npy/" + name;
}

}  // namespace

TEST_CASE("Arrays numpy.save wrote are read as images and labels", "[streams][npy]") {
  const auto train = NpyReader::read(fixture("x_train.npy"), fixture("y_train.npy"), 3);
  REQUIRE(train.size() == 6);
  CHECK(train.channels() == 1);
  CHECK(train.height() == 4);
  CHECK(train.width() == 4);
  CHECK(train.labels() == std::vector<int64_t>{0, 1, 2, 0, 1, 2});
  // x[0] and x[5] as NumPy prints them (x.ravel().tolist()).
  const std::vector<uint8_t> first = {139, 74,  229, 241, 169, 65,  6,   160,
                                      149, 106, 38,  175, 188, 205, 175, 229};
  const std::vector<uint8_t> last = {72,  220, 3,   209, 122, 136, 147, 77,
                                     133, 82,  115, 87,  162, 230, 70,  71};
  CHECK(std::memcmp(train.image(0), first.data(), 16) == 0);
  CHECK(std::memcmp(train.image(5), last.data(), 16) == 0);
  // int32 labels read the same as int64 ones.
  const auto test = NpyReader::read(fixture("x_test.npy"), fixture("y_test.npy"), 3);
  CHECK(test.labels() == std::vector<int64_t>{0, 1, 2});
  CHECK(NpyReader::read_labels(fixture("labels_u1_column.npy")) == std::vector<int64_t>{1, 0});
}

TEST_CASE("NHWC, NCHW and float32 arrays of the same images give the same pixels",
          "[streams][npy]") {
  const auto nhwc = NpyReader::read_images(fixture("rgb_uint8_nhwc.npy"));
  const auto nchw = NpyReader::read_images(fixture("rgb_uint8_nchw.npy"));
  const auto floats = NpyReader::read_images(fixture("rgb_float_nhwc.npy"));
  REQUIRE(nhwc.size() == 2);
  CHECK(nhwc.channels() == 3);
  CHECK(nhwc.height() == 4);
  CHECK(nhwc.pixels() == nchw.pixels());
  CHECK(nhwc.pixels() == floats.pixels());
  // Channel-first: image 1's blue plane starts with r[1, :, :, 2] (69, 35, 110, 87, 44, ...),
  // and its first pixel is (183, 47, 69).
  const uint8_t* blue = nhwc.image(1) + 2 * 16;
  CHECK(std::vector<int>(blue, blue + 5) == std::vector<int>{69, 35, 110, 87, 44});
  CHECK(int{nhwc.image(1)[0]} == 183);
  CHECK(int{nhwc.image(1)[16]} == 47);
  // A layout that is told is followed: the wrong one reads 4-channel 3 × 4 images (which the
  // task builder then refuses as non-square).
  CHECK(NpyReader::read_images(fixture("rgb_uint8_nchw.npy"), NpyLayout::kNchw).pixels() ==
        nhwc.pixels());
  const auto told = NpyReader::read_images(fixture("rgb_uint8_nchw.npy"), NpyLayout::kNhwc);
  CHECK(told.channels() == 4);
  CHECK(told.height() == 3);
  CHECK(told.width() == 4);
}

TEST_CASE("Arrays no reader takes are refused with what was found", "[streams][npy]") {
  CHECK_THROWS_WITH(NpyReader::read_images(fixture("fortran.npy")),
                    Contains("fortran.npy: expected a C-ordered array, found fortran_order True"));
  CHECK_THROWS_WITH(NpyReader::read_images(fixture("big_endian.npy")),
                    Contains("expected a little-endian array, found type \">f4\""));
  CHECK_THROWS_WITH(
      NpyReader::read_images(fixture("float64.npy")),
      Contains("expected images of type uint8 (|u1) or float32 (<f4), found \"<f8\""));
  CHECK_THROWS_WITH(NpyReader::read_labels(fixture("rgb_float_nhwc.npy")),
                    Contains("expected at most 100000000 integer labels of shape (N,) or (N, 1), "
                             "found type \"<f4\" and shape (2, 4, 4, 3)"));
  CHECK_THROWS_WITH(NpyReader::read_images(fixture("y_train.npy")), Contains("found \"<i8\""));
  CHECK_THROWS_WITH(NpyReader::read(fixture("x_train.npy"), fixture("y_test.npy"), 3),
                    Contains("y_test.npy: expected 6 labels (one per image of"));
  CHECK_THROWS_WITH(NpyReader::read(fixture("x_train.npy"), fixture("y_train.npy"), 2),
                    Contains("label 2 of item 2 is out of range: expected 0..1"));
}

TEST_CASE("Malformed .npy files are refused before anything large is allocated", "[streams][npy]") {
  TempDir dir;
  const std::string ok = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }";
  const std::vector<uint8_t> pixels = {1, 2, 3, 4, 5, 6, 7, 8};
  write_bytes(dir.file("ok.npy"), npy_bytes(ok, pixels), true);
  CHECK(NpyReader::read_images(dir.file("ok.npy")).size() == 2);  // gzip'd is read as well

  struct Case {
    std::vector<uint8_t> bytes;
    std::string message;
  };
  std::vector<uint8_t> pickle = {0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<uint8_t> v9 = npy_bytes(ok, pixels);
  v9[6] = 9;
  std::vector<uint8_t> huge_header = npy_bytes(ok, pixels);
  huge_header[6] = 2;  // version 2: a 4-byte length, here 0x00ff.... = 4 GiB
  huge_header.insert(huge_header.begin() + 10, {0xff, 0xff});
  std::vector<uint8_t> trailing = npy_bytes(ok, pixels);
  trailing.push_back(0);
  const std::vector<Case> cases = {
      {pickle, "expected the .npy magic string \\x93NUMPY, found other bytes"},
      {v9, "expected .npy format version 1, 2 or 3, found 9"},
      {huge_header, "expected a .npy header of at most 65536 bytes"},
      {npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (100000000, 4096, 4096), }",
                 pixels),
       "expected at most"},
      {npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3000000, 28, 28), }", pixels),
       "truncated"},
      {trailing, "expected the end of the file after the data its header announces"},
      {npy_bytes("{'descr': '|u1', 'fortran_order': False}", pixels),
       "expected the keys descr, fortran_order and shape, found some missing"},
      {npy_bytes("{'descr': '|u1', 'fortran_order': Maybe, 'shape': (2,), }", pixels),
       "expected True or False"},
      {npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, -1), }", pixels),
       "expected a dimension (a non-negative integer)"},
      {npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), 'x': 1}", pixels),
       "found \"x\""},
      {npy_bytes("{'descr': 'O', 'fortran_order': False, 'shape': (8,), }", pixels),
       "expected an array of integers or floats, found type \"O\""},
      {npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 2, 2, 2), }", pixels),
       "expected images of rank 3 (N×H×W) or 4"},
      {npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 2, 2), }", pixels),
       "found shape (1, 2, 2, 2) (set the dataset's layout to \"nhwc\" or \"nchw\""},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    write_bytes(dir.file("bad.npy"), cases[i].bytes);
    const long before = peak_resident_kib();
    CHECK_THROWS_WITH(NpyReader::read_images(dir.file("bad.npy")),
                      Contains(dir.file("bad.npy")) && Contains(cases[i].message));
    CHECK(peak_resident_kib() - before < 256 * 1024);
  }
}

TEST_CASE("Float pixels outside [0, 1] are refused", "[streams][npy]") {
  TempDir dir;
  std::vector<uint8_t> data(4 * 4);
  const float values[4] = {0.0f, 0.5f, 1.0f, 2.0f};
  std::memcpy(data.data(), values, sizeof values);
  write_bytes(dir.file("f.npy"),
              npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", data));
  CHECK_THROWS_WITH(NpyReader::read_images(dir.file("f.npy")),
                    Contains("expected float32 pixels in [0, 1], found 2 at image 0"));
}
