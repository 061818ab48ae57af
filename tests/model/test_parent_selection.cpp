#include <catch2/catch.hpp>

#include "model/strategies/mu2net/parent_selection.hpp"

using evostream::common::Rng;
using evostream::model::ParentSelection;
using Source = ParentSelection::Source;

TEST_CASE("A path is accepted with probability one half to the power of its children",
          "[model][evolution]") {
  CHECK(ParentSelection::acceptance(0) == 1.0);
  CHECK(ParentSelection::acceptance(1) == 0.5);
  CHECK(ParentSelection::acceptance(3) == 0.125);
}

TEST_CASE("The best own path without children is always chosen", "[model][evolution]") {
  for (uint64_t s = 0; s < 100; ++s) {
    Rng rng(s);
    const auto c = ParentSelection::select({0.5, 0.9, 0.7}, {0, 0, 0}, {0, 0}, rng);
    CHECK(c.source == Source::kOwn);
    CHECK(c.index == 1);
  }
}

TEST_CASE("Own paths are walked by descending score with decaying acceptance",
          "[model][evolution]") {
  // Best (0.9) had 1 child: taken with p 0.5; else the next (0.7, 2 children) with p 0.25.
  std::map<std::pair<int, size_t>, int> counts;
  const int n = 8000;
  for (uint64_t s = 0; s < n; ++s) {
    Rng rng(s);
    const auto c = ParentSelection::select({0.7, 0.9}, {2, 1}, {0}, rng);
    counts[{static_cast<int>(c.source), c.index}]++;
  }
  CHECK(counts[{static_cast<int>(Source::kOwn), 1}] == Approx(0.5 * n).margin(0.02 * n));
  CHECK(counts[{static_cast<int>(Source::kOwn), 0}] == Approx(0.125 * n).margin(0.02 * n));
  // The only seed had no children: everything else goes to it.
  CHECK(counts[{static_cast<int>(Source::kSeed), 0}] == Approx(0.375 * n).margin(0.02 * n));
}

TEST_CASE("Seeds are tried in a shuffled order after the own population", "[model][evolution]") {
  std::vector<int> picks(3, 0);
  const int n = 6000;
  for (uint64_t s = 0; s < n; ++s) {
    Rng rng(s);
    const auto c = ParentSelection::select({}, {}, {0, 0, 0}, rng);
    REQUIRE(c.source == Source::kSeed);
    picks[c.index]++;
  }
  for (int p : picks)
    CHECK(p == Approx(n / 3.0).margin(0.03 * n));
}

TEST_CASE("When no path is accepted the draw is uniform over own paths and seeds",
          "[model][evolution]") {
  // With 60 children each, acceptance is about 1e-18: the uniform fallback decides.
  std::vector<int> picks(4, 0);
  const int n = 8000;
  for (uint64_t s = 0; s < n; ++s) {
    Rng rng(s);
    const auto c = ParentSelection::select({0.3, 0.4}, {60, 60}, {60, 60}, rng);
    picks[(c.source == Source::kOwn ? 0 : 2) + c.index]++;
  }
  for (int p : picks)
    CHECK(p == Approx(n / 4.0).margin(0.03 * n));
}

TEST_CASE("Parent selection refuses an empty choice and mismatched counts", "[model][evolution]") {
  Rng rng(1);
  CHECK_THROWS_WITH(ParentSelection::select({}, {}, {}, rng), Catch::Contains("no path"));
  CHECK_THROWS_WITH(ParentSelection::select({0.1}, {}, {0}, rng),
                    Catch::Contains("one offspring count per own path"));
}
