#include <algorithm>
#include <catch2/catch.hpp>

#include "streams/batch_sampler.hpp"

using namespace evostream::streams;

namespace {

ImageSet numbered(int64_t n) {
  ImageSet s(1, 2, 2);
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t px[4] = {static_cast<uint8_t>(i), 0, 255, static_cast<uint8_t>(i * 2)};
    s.push_back(px, i % 3);
  }
  return s;
}

}  // namespace

TEST_CASE("Each epoch visits every image exactly once", "[streams]") {
  const ImageSet s = numbered(40);
  BatchSampler sampler(s, 8, 1);
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> seen;
    for (int b = 0; b < 5; ++b) {
      const auto& idx = sampler.next_indices();
      seen.insert(seen.end(), idx.begin(), idx.end());
    }
    std::sort(seen.begin(), seen.end());
    for (int64_t i = 0; i < 40; ++i)
      REQUIRE(seen[static_cast<size_t>(i)] == i);
  }
  CHECK(sampler.epoch() == 2);
}

TEST_CASE("Batch order is fixed by the seed and differs between seeds and epochs", "[streams]") {
  const ImageSet s = numbered(40);
  BatchSampler a(s, 40, 5);
  BatchSampler b(s, 40, 5);
  BatchSampler c(s, 40, 6);
  const auto first = a.next_indices();
  CHECK(first == b.next_indices());
  CHECK(first != c.next_indices());
  CHECK(first != a.next_indices());  // the next epoch is reshuffled
}

TEST_CASE("A batch larger than the set wraps into the next epoch", "[streams]") {
  const ImageSet s = numbered(5);
  BatchSampler sampler(s, 12, 1);
  const auto& idx = sampler.next_indices();
  CHECK(idx.size() == 12);
  CHECK(sampler.epoch() == 2);
}

TEST_CASE("Batches hold the images as floats between 0 and 1 with their labels", "[streams]") {
  const ImageSet s = numbered(10);
  BatchSampler sampler(s, 4, 3);
  BatchSampler twin(s, 4, 3);
  std::vector<float> images(16);
  std::vector<int64_t> labels(4);
  sampler.next(images.data(), labels.data());
  const auto idx = twin.next_indices();
  for (int b = 0; b < 4; ++b) {
    const int64_t i = idx[static_cast<size_t>(b)];
    CHECK(labels[static_cast<size_t>(b)] == s.label(i));
    CHECK(images[static_cast<size_t>(b * 4 + 0)] == Approx(static_cast<float>(i) / 255.0f));
    CHECK(images[static_cast<size_t>(b * 4 + 2)] == 1.0f);
  }
}

TEST_CASE("A sampler refuses an empty set and a zero batch", "[streams]") {
  ImageSet empty(1, 2, 2);
  CHECK_THROWS_AS(BatchSampler(empty, 4, 1), std::invalid_argument);
  const ImageSet s = numbered(3);
  CHECK_THROWS_AS(BatchSampler(s, 0, 1), std::invalid_argument);
}
