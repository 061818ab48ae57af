#include <catch2/catch.hpp>
#include <filesystem>

#include "app/scaling_bench_command.hpp"
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
  CHECK(ScalingBenchCommand::csv(points) ==
        "trainers,concurrent,seconds,candidates,candidates_per_second,speedup\n"
        "1,1,10.000,40,4.000,1.000\n"
        "2,1,5.500,40,7.273,1.818\n");
  const std::string svg = ScalingBenchCommand::svg(points, true);
  CHECK_THAT(svg, StartsWith("<?xml"));
  CHECK_THAT(svg, Contains("<svg id=\"scaling-trainers\""));
  CHECK_THAT(svg, Contains("measured · 2: 7.27"));
  CHECK_THAT(svg, Contains("linear from the first point · 2: 8.00"));
}

TEST_CASE("bench scaling measures both axes and writes CSV and SVG files", "[app][bench]") {
  TempDir dir;
  const CliResult r =
      run_cli("bench scaling --scenario " + config("smoke.toml") +
              " --repetitions 1 --trainers 1 2 --concurrent 1 2 --out " + dir.file("out"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("state hash with every trainer count: "));
  CHECK_THAT(r.out, Contains("(the same)"));
  for (const char* f : {"scaling-trainers.csv", "scaling-trainers.svg", "scaling-concurrent.csv",
                        "scaling-concurrent.svg"}) {
    INFO(f);
    CHECK(std::filesystem::exists(dir.file("out/") + f));
  }
  CHECK(lines(slurp(dir.file("out/scaling-trainers.csv"))) == 3);
  CHECK_THAT(slurp(dir.file("out/scaling-concurrent.csv")), Contains("\n2,2,"));
}
