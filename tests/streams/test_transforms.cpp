#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>

#include "streams/transforms.hpp"

using namespace evostream::streams;
using namespace evostream::common;

namespace {

// n images of side × side, labels cycling through `classes`, pixel p of image i = (i + p) % 256.
ImageSet make_set(int64_t n, int64_t side, int64_t classes) {
  ImageSet s(1, side, side);
  std::vector<uint8_t> img(static_cast<size_t>(side * side));
  for (int64_t i = 0; i < n; ++i) {
    for (size_t p = 0; p < img.size(); ++p)
      img[p] = static_cast<uint8_t>((i + static_cast<int64_t>(p)) % 256);
    s.push_back(img.data(), i % classes);
  }
  return s;
}

}  // namespace

TEST_CASE("A class subset keeps only its classes and relabels them in order", "[streams]") {
  const ImageSet s = make_set(20, 4, 5);
  const ImageSet sub = Transforms::subset_classes(s, {3, 1});
  CHECK(sub.size() == 8);
  for (int64_t i = 0; i < sub.size(); ++i) {
    // Original label 3 becomes 0, 1 becomes 1; pixel 0 holds the original index.
    const int64_t original = sub.image(i)[0];
    CHECK(sub.label(i) == (original % 5 == 3 ? 0 : 1));
  }
}

TEST_CASE("Subsampling keeps the asked count in order as drawn by the seed", "[streams]") {
  const ImageSet s = make_set(50, 2, 5);
  Rng a(1);
  Rng b(1);
  const ImageSet x = Transforms::subsample(s, 10, a);
  const ImageSet y = Transforms::subsample(s, 10, b);
  CHECK(x.size() == 10);
  CHECK(x.pixels() == y.pixels());
  for (int64_t i = 1; i < x.size(); ++i)
    CHECK(x.image(i)[0] > x.image(i - 1)[0]);
  CHECK(Transforms::subsample(s, 100, a).size() == 50);
}

TEST_CASE("Few-shot keeps n examples of every class", "[streams]") {
  const ImageSet s = make_set(100, 2, 4);
  Rng rng(3);
  const ImageSet f = Transforms::few_shot(s, 7, 4, rng);
  CHECK(f.label_counts(4) == std::vector<int64_t>(4, 7));
}

TEST_CASE("Validation carving is stratified and disjoint and complete", "[streams]") {
  const ImageSet s = make_set(200, 2, 4);
  Rng rng(9);
  const auto [train, val] = Transforms::carve_validation(s, 0.1, 4, rng);
  CHECK(train.size() + val.size() == 200);
  CHECK(val.label_counts(4) == std::vector<int64_t>(4, 5));
  std::vector<int> seen(200, 0);
  for (const ImageSet* part : {&train, &val}) {
    for (int64_t i = 0; i < part->size(); ++i)
      ++seen[part->image(i)[0]];
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
  // Tiny classes still get one validation example each and keep one for training.
  const ImageSet tiny = make_set(6, 2, 3);
  const auto [t2, v2] = Transforms::carve_validation(tiny, 0.1, 3, rng);
  CHECK(v2.label_counts(3) == std::vector<int64_t>(3, 1));
  CHECK(t2.label_counts(3) == std::vector<int64_t>(3, 1));
}

TEST_CASE("Resizing changes the side and keeps a constant image constant", "[streams]") {
  ImageSet s(1, 4, 4);
  std::vector<uint8_t> img(16, 200);
  s.push_back(img.data(), 1);
  const ImageSet r = Transforms::resize(s, 9);
  CHECK(r.height() == 9);
  CHECK(r.width() == 9);
  CHECK(r.label(0) == 1);
  CHECK(std::all_of(r.pixels().begin(), r.pixels().end(), [](uint8_t v) { return v == 200; }));
  const ImageSet same = Transforms::resize(s, 4);
  CHECK(same.pixels() == s.pixels());
}

TEST_CASE("Rotating by 90 degrees turns the image counter-clockwise", "[streams]") {
  ImageSet s(1, 5, 5);
  std::vector<uint8_t> img(25, 0);
  img[0 * 5 + 2] = 255;  // top centre
  s.push_back(img.data(), 0);
  Transforms::rotate(s, 90);
  CHECK(s.image(0)[2 * 5 + 0] == 255);  // now left centre
  CHECK(s.image(0)[0 * 5 + 2] == 0);
  ImageSet t(1, 5, 5);
  t.push_back(img.data(), 0);
  Transforms::rotate(t, 360);
  CHECK(t.pixels() == img);
}

TEST_CASE("A pixel permutation is undone by its inverse", "[streams]") {
  ImageSet s = make_set(3, 4, 2);
  const ImageSet original = s;
  Rng rng(2);
  const auto perm = rng.permutation(16);
  Transforms::permute_pixels(s, perm);
  CHECK(s.pixels() != original.pixels());
  std::vector<int64_t> inverse(16);
  for (int64_t i = 0; i < 16; ++i)
    inverse[static_cast<size_t>(perm[static_cast<size_t>(i)])] = i;
  Transforms::permute_pixels(s, inverse);
  CHECK(s.pixels() == original.pixels());
  CHECK_THROWS_AS(Transforms::permute_pixels(s, {0, 1}), std::invalid_argument);
}

TEST_CASE("Inversion maps v to 255 - v", "[streams]") {
  ImageSet s = make_set(2, 3, 2);
  const ImageSet original = s;
  Transforms::invert(s);
  for (size_t i = 0; i < s.pixels().size(); ++i)
    CHECK(s.pixels()[i] == 255 - original.pixels()[i]);
}
