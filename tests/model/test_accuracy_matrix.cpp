#include <catch2/catch.hpp>

#include "model/run/accuracy_matrix.hpp"

using evostream::model::AccuracyMatrix;

namespace {

// Three tasks learned in order:
//        t0    t1    t2
// r0   0.90    -     -
// r1   0.80  0.70    -
// r2   0.85  0.50  0.60
AccuracyMatrix three_tasks() {
  AccuracyMatrix m({"t0", "t1", "t2"});
  m.add_row(0, {0.90, {}, {}});
  m.add_row(1, {0.80, 0.70, {}});
  m.add_row(2, {0.85, 0.50, 0.60});
  return m;
}

}  // namespace

TEST_CASE("Average accuracy is the mean over the tasks learned so far", "[model][metrics]") {
  const AccuracyMatrix m = three_tasks();
  CHECK(m.average_accuracy(0) == Approx(0.90));
  CHECK(m.average_accuracy(1) == Approx(0.75));
  CHECK(m.average_accuracy() == Approx((0.85 + 0.50 + 0.60) / 3));
}

TEST_CASE("BWT compares the final row with the accuracy right after learning", "[model][metrics]") {
  const AccuracyMatrix m = three_tasks();
  const auto per_task = m.task_bwt();
  CHECK(*per_task[0] == Approx(0.85 - 0.90));
  CHECK(*per_task[1] == Approx(0.50 - 0.70));
  CHECK_FALSE(per_task[2].has_value());  // the task learned last has none
  CHECK(m.bwt() == Approx(((0.85 - 0.90) + (0.50 - 0.70)) / 2));
  CHECK(m.forgetting() == Approx(-m.bwt()));
}

TEST_CASE("Max-based forgetting uses the best earlier accuracy", "[model][metrics]") {
  AccuracyMatrix m({"t0", "t1", "t2"});
  m.add_row(0, {0.70, {}, {}});
  m.add_row(1, {0.90, 0.80, {}});  // t0 improved after t1 (backward transfer)
  m.add_row(2, {0.75, 0.80, 0.60});
  // Avalanche: A[r(k)][k] - A[last][k]: t0 0.70 - 0.75 = -0.05; t1 0.
  CHECK(*m.task_forgetting()[0] == Approx(-0.05));
  CHECK(*m.task_forgetting()[1] == Approx(0.0));
  // Chaudhry: max earlier - now: t0 0.90 - 0.75 = 0.15; t1 0.
  CHECK(*m.task_max_forgetting()[0] == Approx(0.15));
  CHECK(*m.task_max_forgetting()[1] == Approx(0.0));
  CHECK(m.max_forgetting() == Approx(0.075));
  CHECK(m.forgetting() == Approx(-0.025));
}

TEST_CASE("A revisited task measures forgetting from its last visit", "[model][metrics]") {
  AccuracyMatrix m({"t0", "t1"});
  m.add_row(0, {0.50, {}});
  m.add_row(1, {0.50, 0.60});
  m.add_row(0, {0.70, 0.60});  // second iteration of t0
  m.add_row(1, {0.65, 0.70});  // second iteration of t1
  CHECK(*m.task_bwt()[0] == Approx(0.65 - 0.70));
  CHECK_FALSE(m.task_bwt()[1].has_value());
}

TEST_CASE("An unchanged stream has zero BWT and zero forgetting", "[model][metrics]") {
  AccuracyMatrix m({"t0", "t1"});
  m.add_row(0, {0.5, {}});
  m.add_row(1, {0.5, 0.9});
  CHECK(m.bwt() == 0.0);
  CHECK(m.max_forgetting() == 0.0);
  AccuracyMatrix one({"t0"});
  one.add_row(0, {0.5});
  CHECK(one.bwt() == 0.0);
}

TEST_CASE("A malformed row is refused", "[model][metrics]") {
  AccuracyMatrix m({"t0", "t1"});
  CHECK_THROWS_WITH(m.add_row(0, {0.5}), Catch::Contains("row has 1 entries, expected 2"));
  CHECK_THROWS_WITH(m.add_row(2, {0.5, {}}), Catch::Contains("no task 2"));
  CHECK_THROWS_WITH(m.add_row(1, {0.5, {}}), Catch::Contains("no accuracy for t1"));
}

TEST_CASE("A sparse row carries unmeasured tasks forward", "[model][metrics]") {
  AccuracyMatrix m({"t0", "t1", "t2"});
  m.add_entries(0, {{0, 0.90}});
  m.add_entries(1, {{1, 0.70}});
  m.add_entries(2, {{0, 0.85}, {1, 0.50}, {2, 0.60}});
  CHECK(m.at(1, 0) == 0.90);
  CHECK_FALSE(m.at(1, 2).has_value());
  const auto row = m.row(1);
  CHECK(row[0] == 0.90);
  CHECK(row[1] == 0.70);
  CHECK_FALSE(row[2].has_value());
  CHECK(m.entries(1).size() == 1);
  // The same metrics as the full matrix of `three_tasks`.
  const AccuracyMatrix full = three_tasks();
  CHECK(m.average_accuracy(1) == Approx(0.80));  // t0 carried at 0.90
  CHECK(m.bwt() == full.bwt());
  CHECK(m.max_forgetting() == full.max_forgetting());
  CHECK_THROWS_WITH(m.add_entries(1, {{0, 0.5}}),
                    Catch::Contains("no accuracy for t1, the task just learned"));
  CHECK_THROWS_WITH(m.add_entries(1, {{1, 0.5}, {7, 0.5}}), Catch::Contains("no task 7"));
  CHECK_THROWS_WITH(m.at(5, 0), Catch::Contains("no row 5"));
}
