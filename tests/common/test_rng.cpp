#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "common/rng.hpp"

using evostream::common::Rng;

TEST_CASE("The generator gives the same sequence for the same seed on every platform", "[common]") {
  Rng a(42);
  Rng b(42);
  for (int i = 0; i < 100; ++i)
    REQUIRE(a.next_u64() == b.next_u64());
  // Pinned values: a change here changes every seeded result of every run.
  Rng c(1);
  CHECK(c.next_u64() == 0xf9d20113ec80c6d5ULL);
  CHECK(Rng::derive({1, 2, 3}).next_u64() == Rng::derive({1, 2, 3}).next_u64());
}

TEST_CASE("Derived generators differ in every part of the seed tuple", "[common]") {
  std::set<uint64_t> firsts;
  for (uint64_t a = 0; a < 4; ++a) {
    for (uint64_t b = 0; b < 4; ++b) {
      for (uint64_t c = 0; c < 4; ++c)
        firsts.insert(Rng::derive({a, b, c}).next_u64());
    }
  }
  CHECK(firsts.size() == 64);
  CHECK(Rng::derive({1, 2}).next_u64() != Rng::derive({2, 1}).next_u64());
}

TEST_CASE("Uniform integers stay in range and cover it evenly", "[common]") {
  Rng rng(7);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60000; ++i) {
    const auto v = rng.uniform_int(6);
    REQUIRE(v < 6);
    ++counts[v];
  }
  for (int c : counts)
    CHECK(std::abs(c - 10000) < 500);
}

TEST_CASE("Uniform doubles lie in the unit interval and normals have mean 0 and variance 1",
          "[common]") {
  Rng rng(3);
  double sum = 0;
  double sq = 0;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform01();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    const double z = rng.normal();
    sum += z;
    sq += z * z;
  }
  CHECK(std::abs(sum / n) < 0.02);
  CHECK(std::abs(sq / n - 1.0) < 0.03);
}

TEST_CASE("A permutation holds every index exactly once", "[common]") {
  Rng rng(5);
  auto p = rng.permutation(1000);
  auto sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i)
    REQUIRE(sorted[static_cast<size_t>(i)] == i);
  CHECK(p != sorted);
}
