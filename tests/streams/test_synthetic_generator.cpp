#include <catch2/catch.hpp>
#include <cmath>

#include "streams/synthetic_generator.hpp"

using namespace evostream::streams;
using namespace evostream::config;

namespace {

// Accuracy of a nearest-class-mean classifier fitted on train and scored on test.
double nearest_mean_accuracy(const Dataset& d) {
  const int64_t numel = d.train.image_numel();
  std::vector<std::vector<double>> means(static_cast<size_t>(d.num_classes),
                                         std::vector<double>(static_cast<size_t>(numel), 0.0));
  const auto counts = d.train.label_counts(d.num_classes);
  for (int64_t i = 0; i < d.train.size(); ++i) {
    auto& m = means[static_cast<size_t>(d.train.label(i))];
    for (int64_t p = 0; p < numel; ++p)
      m[static_cast<size_t>(p)] += d.train.image(i)[p];
  }
  for (size_t k = 0; k < means.size(); ++k) {
    for (auto& v : means[k])
      v /= static_cast<double>(counts[k]);
  }
  int64_t correct = 0;
  for (int64_t i = 0; i < d.test.size(); ++i) {
    double best = 1e300;
    int64_t arg = -1;
    for (size_t k = 0; k < means.size(); ++k) {
      double dist = 0;
      for (int64_t p = 0; p < numel; ++p) {
        const double diff = d.test.image(i)[p] - means[k][static_cast<size_t>(p)];
        dist += diff * diff;
      }
      if (dist < best) {
        best = dist;
        arg = static_cast<int64_t>(k);
      }
    }
    correct += arg == d.test.label(i);
  }
  return static_cast<double>(correct) / static_cast<double>(d.test.size());
}

}  // namespace

TEST_CASE("The synthetic generator gives the same bytes for the same options", "[streams]") {
  SyntheticOptions o;
  o.train_per_class = 20;
  o.test_per_class = 5;
  o.seed = 4;
  const Dataset a = SyntheticGenerator(o).generate("a");
  const Dataset b = SyntheticGenerator(o).generate("b");
  CHECK(a.train.pixels() == b.train.pixels());
  CHECK(a.test.labels() == b.test.labels());
  o.seed = 5;
  const Dataset c = SyntheticGenerator(o).generate("c");
  CHECK(a.train.pixels() != c.train.pixels());
}

TEST_CASE("Synthetic datasets are balanced and shaped as asked", "[streams]") {
  SyntheticOptions o;
  o.classes = 5;
  o.channels = 3;
  o.image_size = 16;
  o.train_per_class = 12;
  o.test_per_class = 4;
  const Dataset d = SyntheticGenerator(o).generate("s");
  CHECK(d.num_classes == 5);
  CHECK(d.train.size() == 60);
  CHECK(d.test.size() == 20);
  CHECK(d.train.channels() == 3);
  CHECK(d.train.height() == 16);
  CHECK(d.train.label_counts(5) == std::vector<int64_t>(5, 12));
  CHECK(d.class_names.size() == 5);
}

TEST_CASE("Synthetic tasks are learnable and differ between seeds", "[streams]") {
  SyntheticOptions o;
  o.train_per_class = 50;
  o.test_per_class = 30;
  for (uint64_t seed : {1, 2, 3}) {
    o.seed = seed;
    const Dataset d = SyntheticGenerator(o).generate("s");
    const double acc = nearest_mean_accuracy(d);
    INFO("seed " << seed << " accuracy " << acc);
    CHECK(acc > 0.6);  // well above chance (0.1): there is signal to learn
    CHECK(acc < 1.0);  // and noise: not trivially separable
  }
}

TEST_CASE("The synthetic generator rejects options out of range", "[streams]") {
  SyntheticOptions o;
  o.classes = 1;
  CHECK_THROWS_AS(SyntheticGenerator(o), std::invalid_argument);
}
