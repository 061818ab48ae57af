#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "app/gateway_load_bench.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::app;
using namespace evostream::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::Matches;

TEST_CASE("Latency quantiles take the nearest rank", "[app][bench][gateway]") {
  CHECK(GatewayLoadBench::quantile({}, 0.5) == 0.0);
  CHECK(GatewayLoadBench::quantile({3.0}, 0.99) == 3.0);
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i)
    hundred.push_back(i);
  CHECK(GatewayLoadBench::quantile(hundred, 0.5) == 50.0);
  CHECK(GatewayLoadBench::quantile(hundred, 0.99) == 99.0);
  CHECK(GatewayLoadBench::quantile(hundred, 1.0) == 100.0);
  CHECK(GatewayLoadBench::quantile(hundred, 0.0) == 1.0);
}

TEST_CASE("The gateway load CSV has a row per round with its rate and latencies",
          "[app][bench][gateway]") {
  GatewayLoadBench::Round quiet;
  quiet.seconds = 4.0;
  quiet.candidates = 10;
  GatewayLoadBench::Round loaded;
  loaded.loaded = true;
  loaded.seconds = 5.0;
  loaded.candidates = 10;
  loaded.status_latencies = {0.001, 0.002, 0.004};
  loaded.predict_latencies = {0.010};
  loaded.errors = 1;
  CHECK(GatewayLoadBench::csv({quiet, loaded}) ==
        "round,loaded,seconds,candidates,candidates_per_second,status_requests,status_p50_ms,"
        "status_p99_ms,predict_requests,predict_p50_ms,predict_p99_ms,errors\n"
        "1,0,4.000,10,2.500,0,0.00,0.00,0,0.00,0.00,0\n"
        "2,1,5.000,10,2.000,3,2.00,4.00,1,10.00,10.00,1\n");
}

TEST_CASE("bench gateway serves a learning run under load and reports rates and latencies",
          "[app][bench][gateway]") {
  TempDir d;
  const CliResult r = run_cli("bench gateway --scenario " + config("smoke.toml") +
                              " --rounds 1 --status-rate 10 --predict-rate 2 "
                              "--images 8 --throughput-requests 3 --out " +
                              d.file("bench"));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("round 2/2 (with load)"));
  CHECK_THAT(r.out, Contains("candidates per second (median of 1 rounds each)"));
  CHECK_THAT(r.out, Matches("(.|\n)*GET /status at 10/s: [1-9][0-9]* requests, p50 (.|\n)*"));
  CHECK_THAT(r.out, Contains("in process"));
  CHECK_THAT(r.out, Contains("errors: 0"));
  const std::string csv = slurp(d.file("bench/gateway-load.csv"));
  CHECK(lines(csv) == 3);
}

TEST_CASE("bench gateway refuses a round count below one", "[app][bench][gateway]") {
  GatewayLoadOptions o;
  o.rounds = 0;
  std::ostringstream out;
  CHECK_THROWS_WITH(GatewayLoadBench(o).run(out), Contains("rounds"));
}
