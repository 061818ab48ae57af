#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "app/scaling_bench_command.hpp"
#include "app/task_count_bench.hpp"
#include "config/scenario_parser.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::app;
using namespace evostream::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

TEST_CASE("The scaling CSV gives candidates per second and speed-up over the first point",
          "[app][bench]") {
  std::vector<ScalingBenchCommand::Point> points(2);
  points[0].trainers = 1;
  points[0].seconds = 10.0;
  points[0].candidates = 40;
  points[1].trainers = 2;
  points[1].seconds = 5.5;
  points[1].candidates = 40;
  points[0].work_seconds = 9.0;
  points[1].work_seconds = 9.9;
  CHECK(ScalingBenchCommand::csv(points) ==
        "trainers,concurrent,seconds,candidates,candidates_per_second,speedup,work_seconds,"
        "trainer_busy\n"
        "1,1,10.000,40,4.000,1.000,9.000,0.900\n"
        "2,1,5.500,40,7.273,1.818,9.900,0.900\n");
  const std::string svg = ScalingBenchCommand::svg(points, true);
  CHECK_THAT(svg, StartsWith("<?xml"));
  CHECK_THAT(svg, Contains("<svg id=\"scaling-trainers\""));
  CHECK_THAT(svg, Contains("measured · 2: 7.27"));
  CHECK_THAT(svg, Contains("linear from the first point · 2: 8.00"));
}

TEST_CASE("A stream of N tasks cycles the base scenario's tasks under new names", "[app][bench]") {
  const std::string base =
      "name = \"b\"\n[root]\nsteps = 1\n\n[[tasks]]\nname = \"x\"\ndataset = \"a\"\n\n"
      "[[tasks]]\nname = \"y\"\ndataset = \"b\"\nrotate = 90\n";
  CHECK(TaskCountBench::scenario_text(base, 3) ==
        "name = \"b\"\n[root]\nsteps = 1\n\n"
        "[[tasks]]\nname = \"task-00000\"\ndataset = \"a\"\n\n"
        "[[tasks]]\nname = \"task-00001\"\ndataset = \"b\"\nrotate = 90\n\n"
        "[[tasks]]\nname = \"task-00002\"\ndataset = \"a\"\n\n");
  CHECK_THROWS_WITH(TaskCountBench::scenario_text("name = \"b\"\n", 3),
                    Contains("has no [[tasks]] and no [simulation] tasks"));
  // The shipped base parses at any length.
  const std::string shipped = slurp(config("synthetic-100.toml"));
  CHECK_NOTHROW(evostream::config::ScenarioParser::parse_string(
      TaskCountBench::scenario_text(shipped, 250), "generated.toml"));
}

TEST_CASE("A simulated stream of N tasks generates N tasks", "[app][bench]") {
  const std::string shipped = slurp(config("simulated.toml"));
  const auto s = evostream::config::ScenarioParser::parse_string(
      TaskCountBench::scenario_text(shipped, 37), "generated.toml");
  CHECK(s.simulated());
  CHECK(s.tasks.size() == 37);
}

TEST_CASE("The tasks-axis CSV gives per-task milliseconds and kilobytes", "[app][bench]") {
  TaskCountBench::Point p;
  p.tasks = 10;
  p.stream_seconds = 2.0;
  p.evaluation_seconds = 0.5;
  p.orchestration_seconds = 0.03;
  p.snapshot_seconds = 0.01;
  p.snapshot_bytes = 200000;
  p.max_rss_mb = 190.0;
  p.store_params = 1234;
  p.resume_seconds = 0.6;
  p.end_ms_per_task = 4.5;
  p.at_100_ms_per_task = 4.0;
  CHECK_THAT(TaskCountBench::csv({p}),
             Contains("\n10,2.000,0.000,0.500,3.000,50.000,20.0,1.000,190.0,1234,0.600,4.500,false,"
                      "0.0,4.000\n"));
  CHECK_THAT(TaskCountBench::svg({p}), Contains("<svg id=\"scaling-tasks\""));
}

namespace {

// The events of a stream of `n` tasks: commits 2 ms apart up to task 300, 4 ms apart after,
// and a last visit that takes a second.
std::string paced_events(int n) {
  std::string text = "{\"event\":\"run_started\",\"time\":0.0}\n";
  double t = 0.0;
  for (int i = 0; i < n; ++i) {
    t += i < 300 ? 0.002 : 0.004;
    if (i == n - 1)
      t += 1.0;
    text += fmt::format("{{\"event\":\"task_committed\",\"time\":{:.6f}}}\n", t);
  }
  return text + "{\"event\":\"run_finished\",\"streaming_peak_rss_mb\":12.5}\n";
}

}  // namespace

TEST_CASE("A run's pace is the median time between commits early and at the end", "[app][bench]") {
  std::istringstream long_run(paced_events(1000));
  const TaskCountBench::Pace p = TaskCountBench::pace(long_run);
  CHECK(p.at_100_ms == Approx(2.0));
  CHECK(p.end_ms == Approx(4.0));
  CHECK(p.streaming_rss_mb == 12.5);
  std::istringstream short_run(paced_events(50));
  const TaskCountBench::Pace q = TaskCountBench::pace(short_run);
  CHECK(q.at_100_ms == 0.0);
  CHECK(q.end_ms == Approx(2.0));
  std::istringstream empty("");
  CHECK(TaskCountBench::pace(empty).end_ms == 0.0);
}

TEST_CASE("bench scaling measures every axis and writes CSV and SVG files", "[app][bench]") {
  TempDir dir;
  const CliResult r =
      run_cli("bench scaling --scenario " + config("smoke.toml") +
              " --repetitions 1 --trainers 1 2 --concurrent 1 2 --tasks 3 40 --tasks-scenario " +
              config("simulated.toml") + " --out " + dir.file("out"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("state hash with every trainer count: "));
  CHECK_THAT(r.out, Contains("(the same)"));
  CHECK_THAT(r.out, Contains("3 tasks (simulated): "));
  CHECK_THAT(r.out, Contains("40 tasks (simulated): "));
  for (const char* f : {"scaling-trainers.csv", "scaling-trainers.svg", "scaling-concurrent.csv",
                        "scaling-concurrent.svg", "scaling-tasks.csv", "scaling-tasks.svg"}) {
    INFO(f);
    CHECK(std::filesystem::exists(dir.file("out/") + f));
  }
  CHECK(lines(slurp(dir.file("out/scaling-trainers.csv"))) == 3);
  CHECK_THAT(slurp(dir.file("out/scaling-concurrent.csv")), Contains("\n2,2,"));
  CHECK_THAT(slurp(dir.file("out/scaling-tasks.csv")), Contains("\n3,"));
  CHECK_THAT(slurp(dir.file("out/scaling-tasks.csv")), Contains(",true,"));
}

TEST_CASE("bench scaling on a simulated stream measures virtual candidates per second",
          "[app][bench]") {
  TempDir dir;
  const std::string scenario = dir.file("sim.toml");
  std::string text = slurp(config("simulated.toml"));
  text.replace(text.find("tasks = 1000"), 12, "tasks = 24");
  write_text(scenario, text);
  const CliResult r = run_cli("bench scaling --scenario " + scenario +
                              " --repetitions 1 --trainers 1 4 --concurrent 1 4 --tasks 0 --out " +
                              dir.file("out"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("SIMULATED: seconds are virtual"));
  CHECK_THAT(r.out, Contains("(the same)"));
  // Rows: trainers,concurrent,seconds,candidates,candidates_per_second,speedup,...
  auto speedup = [](const std::string& csv, int row) {
    std::istringstream in(csv);
    std::string line;
    for (int i = 0; i <= row; ++i)
      std::getline(in, line);
    std::istringstream fields(line);
    std::string field;
    for (int column = 0; column <= 5; ++column)
      std::getline(fields, field, ',');
    return std::stod(field);
  };
  const double trainers = speedup(slurp(dir.file("out/scaling-trainers.csv")), 2);
  const double at_once = speedup(slurp(dir.file("out/scaling-concurrent.csv")), 2);
  // Two children per generation keep at most two of four trainers busy; four tasks at once
  // keep all four.
  CHECK(trainers > 1.5);
  CHECK(trainers <= 2.0 + 1e-9);
  CHECK(at_once > 1.2);
}
