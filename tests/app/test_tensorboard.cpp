#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "app/tensorboard_export.hpp"
#include "report/tensorboard_file.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// The scalars of a TensorBoard event file, as tests/app/tensorboard_check.py reads them with
// Google's protobuf library (Debian's python3-protobuf).
nlohmann::json read_back(const std::string& file, const TempDir& d) {
  const int status =
      wait_for(spawn("/usr/bin/python3",
                     {std::string(EVOSTREAM_SOURCE_DIR) + "/tests/app/tensorboard_check.py", file},
                     d.file("check.log")));
  const std::string said = slurp(d.file("check.log"));
  INFO(said);
  INFO("the check needs Debian's python3-protobuf: scripts/install-deps --test");
  REQUIRE(status == 0);
  return nlohmann::json::parse(said);
}

}  // namespace

TEST_CASE("TensorBoard records are framed with masked CRC-32C and events encoded as protobuf",
          "[app][tensorboard]") {
  // The CRC-32C check value, and an empty input.
  CHECK(report::TensorBoardFile::crc32c("123456789") == 0xe3069283u);
  CHECK(report::TensorBoardFile::crc32c("") == 0u);
  const std::string r = report::TensorBoardFile::record("abc");
  REQUIRE(r.size() == 8 + 4 + 3 + 4);
  CHECK(r.substr(0, 8) == std::string("\x03\0\0\0\0\0\0\0", 8));
  CHECK(r.substr(12, 3) == "abc");

  report::TensorBoardFile f(0.0);
  const size_t header = f.bytes().size();
  f.scalar("a", 1, 0.5, 0.0);
  CHECK(f.scalars() == 1);
  // Event{wall_time 0, step 1, summary {value {tag "a", simple_value 0.5}}}.
  const std::string event = std::string("\x09\0\0\0\0\0\0\0\0", 9) + "\x10\x01" + "\x2a\x0a" +
                            "\x0a\x08" + "\x0a\x01" + "a" + std::string("\x15\0\0\0\x3f", 5);
  CHECK(f.bytes().substr(header) == report::TensorBoardFile::record(event));
}

TEST_CASE("A run's TensorBoard file holds its accuracies and its committed candidates' curves",
          "[app][tensorboard]") {
  TempDir d;
  const CliResult r = run_cli("run " + config("smoke.toml") + " --strategy ewc --out " +
                              d.file("run") + " --quiet");
  REQUIRE(r.status == 0);
  const std::string file = d.file("run/tensorboard/events.out.tfevents.0.evostream");
  const nlohmann::json back = read_back(file, d);
  CHECK(back.at("file_version") == "brain.Event:2");
  const nlohmann::json& s = back.at("scalars");
  const auto results = nlohmann::json::parse(slurp(d.file("run/results.json")));

  // One average per committed task visit, the last the run's; a task's last accuracy its own.
  const auto& average = s.at("average_accuracy");
  REQUIRE(average.size() == 3);
  CHECK(average.back().at(0) == 3);
  CHECK(average.back().at(1).get<double>() ==
        Approx(results.at("average_accuracy").get<double>()).epsilon(1e-6));
  for (const auto& t : results.at("tasks")) {
    const auto& measured = s.at("test_accuracy/" + t.at("name").get<std::string>());
    CHECK(measured.back().at(1).get<double>() ==
          Approx(t.at("test_accuracy").get<double>()).epsilon(1e-6));
  }
  CHECK(s.at("test_accuracy/b-all").size() == 3);  // measured after each of the three commits

  // The committed candidates' curves: EWC's loss with its two terms, by training step.
  for (const char* task : {"b-all", "a-pairs", "b-rotated"}) {
    const std::string prefix = std::string("training/") + task;
    INFO(prefix);
    REQUIRE(s.contains(prefix + "/loss"));
    CHECK(s.at(prefix + "/loss").size() >= 10);
    CHECK(s.at(prefix + "/validation_accuracy").size() >= 1);
  }
  // The first task trains on cross-entropy alone; later ones report EWC's two terms.
  CHECK_FALSE(s.contains("training/b-all/cross-entropy"));
  for (const char* task : {"a-pairs", "b-rotated"}) {
    const std::string prefix = std::string("training/") + task;
    INFO(prefix);
    CHECK(s.at(prefix + "/cross-entropy").size() == s.at(prefix + "/loss").size());
    CHECK(s.at(prefix + "/EWC penalty").size() == s.at(prefix + "/loss").size());
  }
  CHECK(s.at("root/validation_accuracy").size() >= 5);
  CHECK(s.at("root/loss").size() == 20);  // 200 steps in stretches of 10
  // Wall times are Unix times of this run.
  CHECK(average.back().at(2).get<double>() > 1.7e9);

  // Rewritten from the events alone, the same scalars.
  std::filesystem::remove(file);
  CHECK(app::write_tensorboard(d.file("run")) == file);
  CHECK(read_back(file, d).at("scalars") == s);
}

TEST_CASE("A run without events gives a TensorBoard file without scalars", "[app][tensorboard]") {
  TempDir d;
  std::filesystem::create_directories(d.file("run"));
  write_text(d.file("run/events.jsonl"), "{\"event\":\"task_committed\",\"time\":1,\"avera");
  const std::string file = app::write_tensorboard(d.file("run"));
  const nlohmann::json back = read_back(file, d);
  CHECK(back.at("file_version") == "brain.Event:2");
  CHECK(back.at("scalars").empty());
}
