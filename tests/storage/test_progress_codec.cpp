#include <catch2/catch.hpp>

#include "storage/json_fields.hpp"
#include "storage/progress_codec.hpp"
#include "storage/storage_error.hpp"

using namespace evostream;

namespace {

// The first snapshot's text: two tasks.
const char* kFirst = R"({"scenario": "s", "strategy": "mu2net", "seed": 1, "events_total": 2,
  "events_done": 0, "train_seconds": 0, "evaluation_seconds": 0, "wall_seconds": 0,
  "tasks": [{"name": "t0", "classes": 2}, {"name": "t1", "classes": 3}]})";

// A visit's text with `matrix` (the part that differs between formats).
std::string visit(int events, int learned, const std::string& matrix) {
  return R"({"scenario": "s", "strategy": "mu2net", "seed": 1, "events_total": 2,
  "events_done": )" +
         std::to_string(events) +
         R"(, "train_seconds": 1, "evaluation_seconds": 0, "wall_seconds": 1,
  "learned": )" +
         std::to_string(learned) + R"(, "path": )" +
         storage::JsonFields::path(model::Path{}).dump() + R"(,
  "task": {"accuracy_after_learning": 0.5, "validation_accuracy": 0.5, "score": 0.5,
  "params_added": 10, "train_seconds": 1, "candidates": 2}, "counters": {}, )" +
         matrix + "}";
}

}  // namespace

TEST_CASE("Snapshots with a full row and with measured entries read the same", "[storage]") {
  model::RunProgress old_format;
  model::RunProgress entries;
  for (auto* p : {&old_format, &entries})
    storage::ProgressCodec::apply(kFirst, "s0", *p);
  storage::ProgressCodec::apply(visit(1, 0, R"("row": [0.5, null], "row_hashes": ["h0", null])"),
                                "s1", old_format);
  storage::ProgressCodec::apply(visit(1, 0, R"("entries": [[0, 0.5, "h0"]])"), "s1", entries);
  REQUIRE(old_format.rows.size() == 1);
  REQUIRE(entries.rows.size() == 1);
  REQUIRE(old_format.rows[0].size() == 1);
  CHECK(old_format.rows[0][0] == entries.rows[0][0]);
  CHECK(old_format.committed_hash == entries.committed_hash);
  CHECK(entries.tasks[0].test_accuracy == 0.5);
}

TEST_CASE("A bad visit snapshot names the problem and changes nothing", "[storage]") {
  model::RunProgress p;
  storage::ProgressCodec::apply(kFirst, "s0", p);
  CHECK_THROWS_WITH(
      storage::ProgressCodec::apply(visit(1, 0, R"("entries": [[7, 0.5, "h"]])"), "s1.h5", p),
      Catch::Contains("s1.h5") && Catch::Contains("an entry for task 7, expected one of 2 tasks"));
  CHECK_THROWS_WITH(
      storage::ProgressCodec::apply(visit(1, 5, R"("entries": [[0, 0.5, "h"]])"), "s1.h5", p),
      Catch::Contains("learned task 5, expected one of 2 tasks"));
  CHECK_THROWS_WITH(
      storage::ProgressCodec::apply(visit(2, 0, R"("entries": [[0, 0.5, "h"]])"), "s1.h5", p),
      Catch::Contains("expected task visit 1, found 2"));
  CHECK(p.events_done == 0);
  CHECK(p.rows.empty());
  CHECK(p.paths.empty());
}

TEST_CASE("A recipe's integer field written as a float is refused, naming it", "[storage]") {
  auto j = storage::JsonFields::recipe(model::TrainRecipe{});
  j["image_size"] = 3.27778e90;
  CHECK_THROWS_WITH(storage::JsonFields::recipe_from(j),
                    Catch::Contains("recipe image_size: expected an integer, found"));
  j["image_size"] = 32;
  CHECK(storage::JsonFields::recipe_from(j).image_size == 32);
}
