#include <stb_image_write.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/data_error.hpp"
#include "streams/image_folder_reader.hpp"
#include "support/test_files.hpp"

using evostream::common::DataError;
using evostream::streams::ImageFolderReader;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace fs = std::filesystem;

namespace {

// A w × h RGB image of one colour, written as PNG or JPEG (by extension) at `path`.
void write_image(const std::string& path, int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  fs::create_directories(fs::path(path).parent_path());
  std::vector<uint8_t> rgb;
  for (int i = 0; i < w * h; ++i)
    rgb.insert(rgb.end(), {r, g, b});
  const bool png = fs::path(path).extension() == ".png";
  const int ok = png ? stbi_write_png(path.c_str(), w, h, 3, rgb.data(), w * 3)
                     : stbi_write_jpg(path.c_str(), w, h, 3, rgb.data(), 95);
  REQUIRE(ok != 0);
}

}  // namespace

TEST_CASE("Class folders of PNG and JPEG files are read, resized and labelled by folder",
          "[streams][images]") {
  TempDir dir;
  write_image(dir.file("dog/b.png"), 8, 6, 200, 100, 50);
  write_image(dir.file("dog/a.JPG"), 5, 5, 200, 100, 50);
  write_image(dir.file("cat/only.jpeg"), 4, 4, 10, 20, 30);
  write_text(dir.file("cat/notes.txt"), "not an image");
  write_image(dir.file("cat/.hidden.png"), 4, 4, 0, 0, 0);
  fs::create_directories(dir.file(".cache"));

  const auto classes = ImageFolderReader::class_names(dir.path());
  CHECK(classes == std::vector<std::string>{"cat", "dog"});
  const auto rgb = ImageFolderReader::read(dir.path(), classes, 3, 4);
  REQUIRE(rgb.size() == 3);
  CHECK(rgb.channels() == 3);
  CHECK(rgb.height() == 4);
  CHECK(rgb.labels() == std::vector<int64_t>{0, 1, 1});
  // Channel-first planes of one colour; JPEG is lossy, PNG and resizing a flat image are not.
  const uint8_t* png = rgb.image(2);  // dog/b.png comes after dog/a.JPG
  CHECK(int{png[0]} == 200);
  CHECK(int{png[16]} == 100);
  CHECK(int{png[47]} == 50);
  CHECK(std::abs(int{rgb.image(1)[0]} - 200) <= 4);
  // Grayscale by stb_image's luma: (77 r + 150 g + 29 b) >> 8.
  const auto gray = ImageFolderReader::read(dir.path(), classes, 1, 4);
  CHECK(gray.channels() == 1);
  CHECK(int{gray.image(2)[5]} == (77 * 200 + 150 * 100 + 29 * 50) >> 8);
}

TEST_CASE("A folder without a split is split per class by a seeded draw", "[streams][images]") {
  TempDir dir;
  for (int i = 0; i < 5; ++i) {
    // Gray levels 50 i (class a) and 50 i + 5 (class b): luma keeps them.
    const auto v = static_cast<uint8_t>(50 * i);
    write_image(dir.file("a/" + std::to_string(i) + ".png"), 4, 4, v, v, v);
    write_image(dir.file("b/" + std::to_string(i) + ".png"), 4, 4, v + 5, v + 5, v + 5);
  }
  const std::vector<std::string> classes = {"a", "b"};
  auto [train, test] = ImageFolderReader::read_split(dir.path(), classes, 1, 4, 0.2, 7);
  CHECK(train.size() == 8);
  CHECK(test.size() == 2);
  CHECK(test.label_counts(2) == std::vector<int64_t>{1, 1});
  auto [train2, test2] = ImageFolderReader::read_split(dir.path(), classes, 1, 4, 0.2, 7);
  CHECK(test2.pixels() == test.pixels());
  // Every class keeps at least one image on each side.
  auto [train3, test3] = ImageFolderReader::read_split(dir.path(), classes, 1, 4, 0.999, 7);
  CHECK(train3.label_counts(2) == std::vector<int64_t>{1, 1});
  // The seed matters: over a few seeds the held-out image of class a is not always the same.
  std::set<int> held;
  for (uint64_t seed = 0; seed < 8; ++seed)
    held.insert(
        ImageFolderReader::read_split(dir.path(), classes, 1, 4, 0.2, seed).second.image(0)[0]);
  CHECK(held.size() > 1);
}

TEST_CASE("Bad image folders and files are named in the error", "[streams][images]") {
  TempDir dir;
  CHECK_THROWS_WITH(ImageFolderReader::class_names(dir.file("absent")),
                    Contains("absent: expected a directory with one folder of images per class, "
                             "found nothing"));
  write_image(dir.file("one/x.png"), 4, 4, 1, 2, 3);
  CHECK_THROWS_WITH(ImageFolderReader::class_names(dir.path()),
                    Contains("expected at least 2 class folders, found 1"));
  fs::create_directories(dir.file("two"));
  CHECK_THROWS_WITH(ImageFolderReader::read(dir.path(), {"one", "two"}, 1, 4),
                    Contains("two: expected .png, .jpg or .jpeg files in this class folder"));
  CHECK_THROWS_WITH(ImageFolderReader::read(dir.path(), {"one", "three"}, 1, 4),
                    Contains("three: expected the folder of class \"three\""));
  write_bytes(dir.file("two/broken.png"), {0x89, 'P', 'N', 'G', 1, 2, 3, 4, 5});
  CHECK_THROWS_WITH(ImageFolderReader::read(dir.path(), {"one", "two"}, 1, 4),
                    Contains("broken.png: expected a PNG or JPEG image"));
  CHECK_THROWS_AS(ImageFolderReader::decode(dir.file("two/none.png"), 1, 4), DataError);
}
