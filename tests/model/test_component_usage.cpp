#include <catch2/catch.hpp>

#include "model/core/component_usage.hpp"

using namespace evostream::model;

TEST_CASE("Accounted parameters split each component among the tasks that use it",
          "[model][evolution]") {
  ComponentUsage usage;
  usage.set_path("a", {"root/block0", "a/head"});
  usage.set_path("b", {"root/block0", "b/head"});
  // Task c would share root/block0 with a and b: 900 / 3; its own head counts fully.
  CHECK(accounted_params({"root/block0", "c/head"}, {900, 50}, usage, "c") == Approx(350));
  // Task a is already a user of root/block0: 900 / 2.
  CHECK(accounted_params({"root/block0", "a/head"}, {900, 50}, usage, "a") == Approx(500));
  CHECK(usage.other_users("root/block0", "a") == 1);
  CHECK(usage.users("root/block0") == std::set<std::string>{"a", "b"});
}

TEST_CASE("A task's new path replaces what it used before", "[model][evolution]") {
  ComponentUsage usage;
  usage.set_path("a", {"x", "y"});
  usage.set_path("a", {"y", "z"});
  CHECK(usage.users("x").empty());
  CHECK(usage.users("z") == std::set<std::string>{"a"});
  CHECK(usage.other_users("y", "b") == 1);
}

TEST_CASE("The score discounts quality by the size penalty", "[model][evolution]") {
  CHECK(path_score(0.8, 1.0, 5000, 1000) == Approx(0.8));
  CHECK(path_score(0.8, 0.5, 1000, 1000) == Approx(0.4));
  CHECK(path_score(0.8, 0.5, 2000, 1000) == Approx(0.2));
  CHECK_THROWS(accounted_params({"x"}, {}, ComponentUsage{}, "t"));
}

TEST_CASE("A child is kept only if it beats a parent of its own task", "[model][evolution]") {
  CHECK(improves(0.81, 0.80, true));
  CHECK_FALSE(improves(0.80, 0.80, true));
  CHECK_FALSE(improves(0.70, 0.80, true));
  CHECK(improves(0.10, 0.80, false));  // parents of other tasks or the root: always kept
}
