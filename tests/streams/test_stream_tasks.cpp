#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "streams/stream_tasks.hpp"

using evostream::streams::StreamTasks;
using evostream::streams::TaskData;
using Tasks = std::vector<TaskData>;

namespace {

std::shared_ptr<const Tasks> tasks_named(const std::vector<std::string>& names) {
  auto out = std::make_shared<Tasks>();
  for (const auto& n : names) {
    TaskData t;
    t.spec.name = n;
    out->push_back(std::move(t));
  }
  return out;
}

}  // namespace

TEST_CASE("A growing stream keeps every version alive for whoever refers into it",
          "[streams][growth]") {
  StreamTasks stream(tasks_named({"a", "b"}));
  const TaskData* b_before = &(*stream.current())[1];
  stream.grow(tasks_named({"a", "b", "c"}));
  CHECK(stream.size() == 3);
  CHECK(stream.current()->back().name() == "c");
  CHECK(b_before->name() == "b");  // the first version is still there
}

TEST_CASE("A stream grows only at its end, by at least one task", "[streams][growth]") {
  StreamTasks stream(tasks_named({"a", "b"}));
  CHECK_THROWS_WITH(stream.grow(tasks_named({"a", "c", "d"})),
                    Catch::Contains("expected task 1 to be \"b\" as before, found \"c\""));
  CHECK_THROWS_WITH(stream.grow(tasks_named({"a", "b"})),
                    Catch::Contains("expected more than the 2 tasks"));
  CHECK_THROWS_AS(stream.grow(nullptr), std::invalid_argument);
  CHECK_THROWS_AS(StreamTasks(nullptr), std::invalid_argument);
  CHECK(stream.size() == 2);
}
