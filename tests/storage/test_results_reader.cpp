#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "storage/results_reader.hpp"
#include "storage/results_writer.hpp"
#include "storage/storage_error.hpp"
#include "support/test_files.hpp"

using namespace evostream;
using Catch::Matchers::Contains;
using evostream::testing::TempDir;

namespace {

model::RunResults finished_run() {
  model::RunResults r;
  r.scenario = "s";
  r.strategy = "mu2net";
  r.seed = 7;
  r.matrix = model::AccuracyMatrix({"a", "b"});
  r.matrix.add_row(0, {0.5, {}});
  r.matrix.add_row(1, {0.5, 0.75});
  r.average_accuracy = 0.625;
  r.total_params = 1234;
  r.state_hash = "0123456789abcdef";
  r.complete = true;
  r.events_done = 2;
  r.events_total = 2;
  r.tasks.resize(2);
  r.tasks[0].name = "a";
  r.tasks[0].forgetting = 0.0;
  r.tasks[0].params_added = 42;
  r.tasks[0].path.name = "a@0.1.0";
  r.tasks[0].path.task = "a";
  r.tasks[0].path.ids = {"root/block0", "a/head@0.1.0"};
  r.tasks[0].path.recipe.learning_rate = 0.02;
  r.tasks[1].name = "b";
  r.tasks[1].path.task = "b";
  r.tasks[1].test_accuracy = 0.75;
  return r;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("Results read back equal what was written", "[storage]") {
  const model::RunResults r = finished_run();
  const model::RunResults back =
      storage::ResultsReader::parse(storage::ResultsWriter::json(r), "results.json");
  CHECK(storage::ResultsWriter::json(back) == storage::ResultsWriter::json(r));
  CHECK(back.seed == 7);
  CHECK(back.state_hash == "0123456789abcdef");
  REQUIRE(back.matrix.rows() == 2);
  CHECK_FALSE(back.matrix.at(0, 1).has_value());
  CHECK(back.tasks[0].path.ids == r.tasks[0].path.ids);
  CHECK(back.tasks[0].path.recipe.learning_rate == Approx(0.02));
  CHECK(back.tasks[0].forgetting == 0.0);
  CHECK_FALSE(back.tasks[1].forgetting.has_value());
}

TEST_CASE("Results written before the state hash existed read it as empty", "[storage]") {
  const std::string old = replaced(storage::ResultsWriter::json(finished_run()),
                                   "\"state_hash\": \"0123456789abcdef\",", "");
  const model::RunResults back = storage::ResultsReader::parse(old, "results.json");
  CHECK(back.state_hash.empty());
  CHECK(back.complete);
}

TEST_CASE("Expert layers read back, and as MLP layers from files without them", "[storage][moe]") {
  model::RunResults r = finished_run();
  r.tasks[0].expert_usage = {{0.5, 0.5}, {1.0}};
  r.tasks[0].expert_layers = {"attention", "mlp"};
  r.tasks[1].expert_usage = {{0.25, 0.75}};
  r.tasks[1].expert_layers = {"mlp"};
  const std::string json = storage::ResultsWriter::json(r);
  CHECK(storage::ResultsReader::parse(json, "results.json").tasks[0].expert_layers ==
        std::vector<std::string>{"attention", "mlp"});
  nlohmann::json older = nlohmann::json::parse(json);
  for (auto& t : older["tasks"])
    t.erase("expert_layers");
  const model::RunResults back = storage::ResultsReader::parse(older.dump(2), "results.json");
  CHECK(back.tasks[0].expert_layers == std::vector<std::string>{"mlp", "mlp"});
  CHECK(back.tasks[1].expert_layers == std::vector<std::string>{"mlp"});
  nlohmann::json mistyped = nlohmann::json::parse(json);
  mistyped["tasks"][1]["expert_layers"] = {3};
  CHECK_THROWS_WITH(
      storage::ResultsReader::parse(mistyped.dump(2), "x.json"),
      Contains("x.json: tasks[1].expert_layers: expected an array of strings, found number"));
}

TEST_CASE(
    "A path's recipe reads back with its extras, also from files that call it "
    "hyperparameters",
    "[storage][recipe]") {
  model::RunResults r = finished_run();
  r.tasks[0].path.recipe.set_extra("adapter_dim", 64, true).set_extra("mu", 0.14);
  r.tasks[1].path.recipe.objective = "ewc";
  model::OptimizerOptions adam;
  adam.kind = model::OptimizerOptions::Kind::kAdamW;
  adam.weight_decay = 0.0;
  adam.carry_state = true;
  r.tasks[1].path.recipe.optimizer = adam;
  const std::string json = storage::ResultsWriter::json(r);
  CHECK_THAT(json, Contains("\"adapter_dim\": 64,"));  // a count stays an integer
  const auto back = storage::ResultsReader::parse(json, "results.json");
  CHECK(back.tasks[0].path.recipe.extras == r.tasks[0].path.recipe.extras);
  CHECK(back.tasks[1].path.recipe.extras.empty());
  CHECK(back.tasks[0].path.recipe.objective == "cross-entropy");
  CHECK_FALSE(back.tasks[0].path.recipe.optimizer.has_value());
  CHECK(back.tasks[1].path.recipe.objective == "ewc");
  CHECK(back.tasks[1].path.recipe.optimizer == adam);

  nlohmann::ordered_json older = nlohmann::ordered_json::parse(json);
  for (auto& t : older["tasks"]) {
    t["path"]["hyperparameters"] = t["path"]["recipe"];
    t["path"]["hyperparameters"].erase("objective");
    t["path"]["hyperparameters"].erase("optimizer");
    t["path"].erase("recipe");
  }
  const auto old_back = storage::ResultsReader::parse(older.dump(2), "results.json");
  CHECK(old_back.tasks[1].path.recipe.objective == "cross-entropy");
  CHECK_FALSE(old_back.tasks[1].path.recipe.optimizer.has_value());
  CHECK(old_back.tasks[0].path.recipe.extras == r.tasks[0].path.recipe.extras);
  CHECK(old_back.tasks[0].path.recipe.learning_rate == Approx(0.02));

  nlohmann::ordered_json mistyped = nlohmann::ordered_json::parse(json);
  mistyped["tasks"][0]["path"]["recipe"]["mu"] = "high";
  CHECK_THROWS_WITH(storage::ResultsReader::parse(mistyped.dump(2), "x.json"),
                    Contains("x.json: tasks[0].path.recipe mu: expected a number, found \"high\""));
  nlohmann::ordered_json unknown_rule = nlohmann::ordered_json::parse(json);
  unknown_rule["tasks"][1]["path"]["recipe"]["optimizer"]["kind"] = "lion";
  CHECK_THROWS_WITH(storage::ResultsReader::parse(unknown_rule.dump(2), "x.json"),
                    Contains("x.json: tasks[1].path.recipe optimizer.kind: expected \"sgd\" or "
                             "\"adamw\", found \"lion\""));
  nlohmann::ordered_json missing = nlohmann::ordered_json::parse(json);
  missing["tasks"][0]["path"]["recipe"].erase("schedule");
  CHECK_THROWS_WITH(storage::ResultsReader::parse(missing.dump(2), "x.json"),
                    Contains("x.json: tasks[0].path.recipe: ") && Contains("schedule"));
  nlohmann::ordered_json neither = nlohmann::ordered_json::parse(json);
  neither["tasks"][0]["path"].erase("recipe");
  CHECK_THROWS_WITH(storage::ResultsReader::parse(neither.dump(2), "x.json"),
                    Contains("x.json: tasks[0].path.recipe: expected an object, found nothing"));
}

TEST_CASE("A results file with a missing or mistyped key names the file and the key", "[storage]") {
  const std::string json = storage::ResultsWriter::json(finished_run());
  CHECK_THROWS_WITH(
      storage::ResultsReader::parse(replaced(json, "\"bwt\": 0.0,", ""), "r/results.json"),
      Contains("r/results.json: bwt: expected a number, found nothing (the key is missing)"));
  CHECK_THROWS_WITH(storage::ResultsReader::parse(
                        replaced(json, "\"seed\": 7", "\"seed\": \"seven\""), "r/results.json"),
                    Contains("r/results.json: seed: expected an integer, found string"));
  CHECK_THROWS_WITH(
      storage::ResultsReader::parse(replaced(json, "\"name\": \"a\"", "\"name\": 3"), "x.json"),
      Contains("x.json: tasks[0].name: expected a string, found number"));
  CHECK_THROWS_WITH(
      storage::ResultsReader::parse(replaced(json, "\"evostream-results\"", "\"other\""), "x.json"),
      Contains("format: expected \"evostream-results\", found \"other\""));
}

TEST_CASE("A file that is not JSON or whose matrix is inconsistent is refused by name",
          "[storage]") {
  CHECK_THROWS_WITH(storage::ResultsReader::parse("{ nope", "bad.json"),
                    Contains("bad.json: not JSON"));
  CHECK_THROWS_WITH(storage::ResultsReader::parse("[1, 2]", "bad.json"),
                    Contains("bad.json: expected a JSON object, found array"));
  const std::string json = storage::ResultsWriter::json(finished_run());
  const std::string unknown = replaced(json, "\"accuracy_matrix_learned\": [\n    \"a\"",
                                       "\"accuracy_matrix_learned\": [\n    \"zz\"");
  CHECK_THROWS_WITH(storage::ResultsReader::parse(unknown, "m.json"),
                    Contains("accuracy_matrix_learned[0]: expected a name from task_names"));
}

TEST_CASE("A directory without results.json is reported as not a run", "[storage]") {
  TempDir dir;
  CHECK_THROWS_AS(storage::ResultsReader::read_run(dir.path()), storage::StorageError);
  CHECK_THROWS_WITH(storage::ResultsReader::read_run(dir.path()),
                    Contains("not a run directory with results (no results.json)"));
  storage::ResultsWriter::write(dir.file("results.json"), finished_run());
  CHECK(storage::ResultsReader::read_run(dir.path()).strategy == "mu2net");
}

TEST_CASE("The accuracy matrix CSV has a row per learning event and empty unlearned cells",
          "[storage]") {
  CHECK(storage::ResultsWriter::csv(finished_run()) ==
        "learned,a,b\na,0.500000,\nb,0.500000,0.750000\n");
}
