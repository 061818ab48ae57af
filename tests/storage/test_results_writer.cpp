#include <catch2/catch.hpp>
#include <fstream>

#include "storage/results_writer.hpp"
#include "storage/storage_error.hpp"
#include "support/test_files.hpp"

using namespace evostream;
using evostream::testing::TempDir;

namespace {

model::RunResults two_tasks() {
  model::RunResults r;
  r.scenario = "s";
  r.strategy = "mu2net";
  r.matrix = model::AccuracyMatrix({"a", "b"});
  r.matrix.add_row(0, {0.5, {}});
  r.matrix.add_row(1, {0.5, 0.75});
  r.tasks.resize(2);
  r.tasks[0].name = "a";
  r.tasks[0].forgetting = 0.0;
  r.tasks[1].name = "b";
  return r;
}

}  // namespace

TEST_CASE("Results name the matrix rows and write missing values as null", "[storage]") {
  const std::string json = storage::ResultsWriter::json(two_tasks());
  CHECK_THAT(json, Catch::Contains("\"accuracy_matrix_learned\": [\n    \"a\",\n    \"b\"\n  ]"));
  CHECK_THAT(json, Catch::Contains("[\n      0.5,\n      null\n    ]"));
  CHECK_THAT(json, Catch::Contains("\"max_forgetting\": null"));
  CHECK_THAT(json, Catch::Contains("\"format\": \"evostream-results\""));
}

TEST_CASE("Results are written whole or not at all", "[storage]") {
  TempDir dir;
  storage::ResultsWriter::write(dir.file("results.json"), two_tasks());
  CHECK(std::ifstream(dir.file("results.json")).good());
  CHECK_FALSE(std::ifstream(dir.file("results.json.tmp")).good());
  CHECK_THROWS_WITH(storage::ResultsWriter::write(dir.file("missing/results.json"), two_tasks()),
                    Catch::Contains("missing/results.json: cannot create") &&
                        Catch::Contains("results.json.tmp: No such file or directory"));
}
