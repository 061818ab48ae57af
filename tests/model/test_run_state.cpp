#include <catch2/catch.hpp>

#include "model/strategies/strategy.hpp"

using namespace evostream::model;

namespace {

Path path_of(const std::string& task, double quality) {
  Path p;
  p.name = task + "@0.0.0";
  p.task = task;
  p.quality = quality;
  return p;
}

std::vector<std::string> names(const RunState& s) {
  std::vector<std::string> out;
  for (const Path* p : s.ordered_paths())
    out.push_back(p->task);
  return out;
}

}  // namespace

TEST_CASE("A run state lists its committed paths in task-name order", "[model][state]") {
  RunState s;
  CHECK(s.ordered_paths().empty());
  CHECK(s.position("b") == 0);
  s.set_path("c", path_of("c", 0.1));
  s.set_path("a", path_of("a", 0.2));
  s.set_path("b", path_of("b", 0.3));
  CHECK(names(s) == std::vector<std::string>{"a", "b", "c"});
  CHECK(s.position("a") == 0);
  CHECK(s.position("c") == 2);
  CHECK(s.position("bb") == 3);
  s.set_path("b", path_of("b", 0.9));  // a new path for a task already there
  CHECK(names(s) == std::vector<std::string>{"a", "b", "c"});
  CHECK(s.ordered_paths()[1]->quality == 0.9);
  CHECK(s.ordered_paths()[1] == &s.paths.at("b"));
}

TEST_CASE("A copied or replaced run state points into its own paths", "[model][state]") {
  RunState s;
  s.set_path("b", path_of("b", 0.1));
  s.set_path("a", path_of("a", 0.2));
  const RunState copy(s);
  s.set_path("a", path_of("a", 0.7));
  REQUIRE(copy.ordered_paths().size() == 2);
  CHECK(copy.ordered_paths()[0] == &copy.paths.at("a"));
  CHECK(copy.ordered_paths()[0]->quality == 0.2);
  RunState assigned;
  assigned = copy;
  CHECK(assigned.ordered_paths()[1] == &assigned.paths.at("b"));
  RunState moved(std::move(assigned));
  CHECK(moved.ordered_paths()[1] == &moved.paths.at("b"));
  RunState replaced;
  replaced.set_paths(copy.paths);
  CHECK(names(replaced) == std::vector<std::string>{"a", "b"});
  CHECK(replaced.ordered_paths()[0] == &replaced.paths.at("a"));
}
