#include <catch2/catch.hpp>

#include "config/scenario_parser.hpp"
#include "gateway/task_toml.hpp"
#include "support/test_files.hpp"

using Catch::Matchers::Contains;
using evostream::gateway::task_toml;
using Json = nlohmann::json;

TEST_CASE("A task sent as JSON becomes the scenario entry it names", "[gateway][toml]") {
  const Json task = Json::parse(R"({"name": "t2", "dataset": "syn", "classes": [0, 2],
                                    "rotate": 90, "invert": true, "max_train": 30})");
  const std::string toml = task_toml(task);
  const std::string grown = evostream::config::ScenarioParser::extended_text(
      evostream::testing::minimal_scenario(), "run.toml", toml, "request");
  const auto s = evostream::config::ScenarioParser::parse_string(grown, "run.toml");
  REQUIRE(s.tasks.size() == 2);
  const auto& t = s.tasks[1];
  CHECK(t.name == "t2");
  CHECK(t.classes == std::vector<int64_t>{0, 2});
  CHECK(t.max_train == 30);
}

TEST_CASE("A task's own datasets, floats and nested tables keep their types", "[gateway][toml]") {
  const Json task = Json::parse(R"({"name": "n\"q", "dataset": "d",
      "datasets": {"d": {"kind": "synthetic", "classes": 3, "noise": 1.0, "seed": 2}}})");
  const std::string toml = task_toml(task);
  CHECK_THAT(toml, Contains("[datasets.\"d\"]"));
  CHECK_THAT(toml, Contains("\"noise\" = 1.0"));
  CHECK_THAT(toml, Contains("\"name\" = \"n\\\"q\""));
  CHECK_THAT(task_toml(Json::parse(R"({"a": {"b": [1, 2.5e-3]}})")),
             Contains("\"a\" = { \"b\" = [1, 0.0025] }"));
}

TEST_CASE("What TOML cannot hold is refused naming the field", "[gateway][toml]") {
  CHECK_THROWS_WITH(task_toml(Json::parse("[1]")), Contains("expected a JSON object"));
  CHECK_THROWS_WITH(
      task_toml(Json::parse(R"({"name": null})")),
      Contains("name: expected a string, number, boolean, array or object, found null"));
  CHECK_THROWS_WITH(task_toml(Json::parse(R"({"classes": [1, null]})")), Contains("classes[1]"));
  CHECK_THROWS_WITH(task_toml(Json::parse(R"({"datasets": 3})")),
                    Contains("datasets: expected an object"));
  CHECK_THROWS_WITH(task_toml(Json::parse(R"({"datasets": {"d": 3}})")),
                    Contains("datasets.d: expected an object"));
}
