#include <catch2/catch.hpp>

#include "model/strategies/mu2net/search_space.hpp"
#include "model_fixtures.hpp"

using evostream::common::Rng;
using evostream::model::Hyperparameters;
using evostream::model::SearchSpace;

TEST_CASE("A neighbour move goes one entry up or down with equal chance", "[model][evolution]") {
  const std::vector<double> values{1, 2, 3, 4};
  int up = 0;
  int down = 0;
  for (uint64_t s = 0; s < 4000; ++s) {
    Rng rng(s);
    const double v = SearchSpace::neighbour(values, 2, rng);
    REQUIRE((v == 1 || v == 3));
    (v == 3 ? up : down)++;
  }
  CHECK(up == Approx(2000).margin(150));
  CHECK(down == Approx(2000).margin(150));
}

TEST_CASE("A neighbour move at an end of a list stays put half the time", "[model][evolution]") {
  const std::vector<double> values{1, 2, 3};
  int stayed_low = 0;
  int stayed_high = 0;
  for (uint64_t s = 0; s < 4000; ++s) {
    Rng a(s);
    const double low = SearchSpace::neighbour(values, 1, a);
    REQUIRE((low == 1 || low == 2));
    stayed_low += low == 1;
    Rng b(s);
    const double high = SearchSpace::neighbour(values, 3, b);
    REQUIRE((high == 3 || high == 2));
    stayed_high += high == 3;
  }
  CHECK(stayed_low == Approx(2000).margin(150));
  CHECK(stayed_high == Approx(2000).margin(150));
}

TEST_CASE("A value outside a list snaps to its nearest entry before moving", "[model][evolution]") {
  const std::vector<double> values{0.1, 0.2, 0.3};
  for (uint64_t s = 0; s < 200; ++s) {
    Rng rng(s);
    const double v = SearchSpace::neighbour(values, 0.29, rng);  // nearest is 0.3
    CHECK((v == 0.3 || v == 0.2));
  }
}

TEST_CASE("The search space follows the reference lists scaled to the root", "[model][evolution]") {
  const SearchSpace space(evostream::testing::micro_arch());  // 8 x 8, patch 2: grid 4
  CHECK(space.image_sizes() == std::vector<double>{4, 6, 8, 10, 12});
  CHECK(space.mus().front() == Approx(0.10));
  CHECK(space.mus().back() == Approx(0.30));
  CHECK(space.mus().size() == 11);
  CHECK(space.learning_rates().size() == 10);
  CHECK(space.momenta().front() == 0.0);
}

TEST_CASE("Mutation with mu 0 changes nothing and is reproducible by seed", "[model][evolution]") {
  const SearchSpace space(evostream::testing::micro_arch());
  Hyperparameters hp;
  hp.mu = 0.0;
  Rng rng(3);
  Hyperparameters same = hp;
  CHECK(space.mutate(same, rng) == 0);
  CHECK(same.train.learning_rate == hp.train.learning_rate);
  CHECK(same.train.image_size == 0);

  Hyperparameters a;
  Hyperparameters b;
  Rng ra(9);
  Rng rb(9);
  space.mutate(a, ra);
  space.mutate(b, rb);
  CHECK(a.train.learning_rate == b.train.learning_rate);
  CHECK(a.mu == b.mu);
  CHECK(a.train.crop_area_min == b.train.crop_area_min);
}

TEST_CASE("Mutation moves mu first then each key with the new mu to a neighbour",
          "[model][evolution]") {
  const SearchSpace space(evostream::testing::micro_arch());
  int lr_moved = 0;
  const int n = 4000;
  for (uint64_t s = 0; s < n; ++s) {
    Hyperparameters hp;
    hp.mu = 1.0;  // µ always moves: 1.0 snaps to 0.30, then goes to 0.28 or stays
    Rng rng(s);
    space.mutate(hp, rng);
    REQUIRE((hp.mu == Approx(0.28) || hp.mu == Approx(0.30)));
    REQUIRE((hp.train.learning_rate == 0.005 || hp.train.learning_rate == 0.01 ||
             hp.train.learning_rate == 0.02));
    REQUIRE((hp.train.image_size == 6 || hp.train.image_size == 10 || hp.train.image_size == 0));
    lr_moved += hp.train.learning_rate != 0.01;
  }
  // The learning rate draws with the new µ (about 0.29) and a drawn move always leaves 0.01.
  CHECK(lr_moved == Approx(0.29 * n).margin(0.03 * n));
}
