#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

// A simulated stream of `tasks` tasks over a micro ViT.
std::string simulated_scenario(const TempDir& dir, int64_t tasks) {
  const std::string path = dir.file("sim.toml");
  write_text(path,
             "name = \"sim\"\nseed = 5\n[root]\nsource = \"init\"\n"
             "[root.architecture]\nimage_size = 8\npatch = 4\ndim = 8\ndepth = 2\nheads = 2\n"
             "mlp = 16\n[strategy]\ntask_steps = 80\nvalidation_interval = 10\n"
             "[strategy.mu2net]\ngenerations = 2\nchildren = 2\n[trainers]\nkind = \"simulated\"\n"
             "[simulation]\nfamilies = 3\nadapt_steps = 20\ntasks = " +
                 std::to_string(tasks) + "\n");
  return path;
}

nlohmann::json results(const std::string& dir) {
  return nlohmann::json::parse(slurp(dir + "/results.json"));
}

}  // namespace

TEST_CASE("A simulated run says so everywhere and resumes to the same state", "[app]") {
  TempDir d;
  const std::string scenario = simulated_scenario(d, 60);
  const std::string dir = d.file("run");
  const CliResult r = run_cli("run " + scenario + " --out " + dir);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("SIMULATED run"));
  CHECK_THAT(r.out, Contains("SIMULATED mu2net: average accuracy"));
  CHECK_THAT(r.out, Contains("s training (virtual)"));
  CHECK_THAT(r.out, Contains("... 10 more tasks in results.json ..."));
  CHECK_THAT(slurp(dir + "/report.html"), Contains("Simulated run"));
  const nlohmann::json first = results(dir);
  CHECK(first["simulated"] == true);
  CHECK(first["tasks"].size() == 60);
  CHECK(first["bwt"] == 0.0);
  // Only the committed task is measured per row, every task after the last.
  CHECK(first["accuracy_matrix_entries"][10].size() == 1);
  CHECK(first["accuracy_matrix_entries"][59].size() == 60);
  for (const auto& t : first["tasks"])
    CHECK(t["predictions_identical"] == true);
  // Tasks reuse components of earlier tasks (the simulation rewards related ones).
  int64_t reusing = 0;
  for (const auto& t : first["tasks"]) {
    for (const auto& id : t["path"]["components"]) {
      const std::string s = id.get<std::string>();
      if (s.rfind("sim-", 0) == 0 && s.rfind(t["name"].get<std::string>(), 0) != 0) {
        ++reusing;
        break;
      }
    }
  }
  CHECK(reusing > 10);

  // Drop the last 25 snapshots and the results: resume ends in the same state.
  for (int i = 36; i <= 60; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/snapshots/snapshot-%06d.h5", i);
    REQUIRE(fs::remove(dir + name));
  }
  fs::remove(dir + "/results.json");
  const CliResult resumed = run_cli("resume " + dir);
  REQUIRE(resumed.status == 0);
  CHECK_THAT(resumed.out, Contains("35 of 60 task visits done"));
  const nlohmann::json second = results(dir);
  CHECK(second["state_hash"] == first["state_hash"]);
  CHECK(second["accuracy_matrix_entries"] == first["accuracy_matrix_entries"]);
}

TEST_CASE("Simulated sequential fine-tuning forgets", "[app]") {
  TempDir d;
  const CliResult r =
      run_cli("run " + simulated_scenario(d, 8) + " --strategy sequential --out " + d.file("seq"));
  REQUIRE(r.status == 0);
  const nlohmann::json seq = results(d.file("seq"));
  CHECK(seq["bwt"].get<double>() < -0.01);
  CHECK(seq["accuracy_matrix_entries"][3].size() == 4);  // every learned task changes
}
