#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

// Debian's chromium renders the report headless: the test set-up (`make test`, through
// `scripts/install-deps --test`) installs it.
TEST_CASE("The report renders in headless Chromium with every plot and no console error",
          "[app][chromium]") {
  REQUIRE(std::filesystem::exists("/usr/bin/chromium"));
  TempDir dir;
  REQUIRE(
      run_cli("run " + config("smoke.toml") + " --out " + dir.file("run") + " --quiet").status ==
      0);
  REQUIRE(run_cli("report " + dir.file("run") + " --transfer").status == 0);
  const std::string page = "file://" + dir.file("run/report.html");
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars "
      "--user-data-dir=" +
      dir.file("profile") + " --enable-logging=stderr --v=0";
  const std::string dom_cmd = "timeout 120 /usr/bin/chromium " + flags + " --dump-dom " + page +
                              " > " + dir.file("dom.html") + " 2> " + dir.file("dom.err");
  REQUIRE(std::system(dom_cmd.c_str()) == 0);
  const std::string dom = slurp(dir.file("dom.html"));
  for (const char* id : {"accuracy-matrix", "average-accuracy", "task-accuracy", "task-params",
                         "cumulative-params", "task-seconds", "model-graph", "transfer"}) {
    INFO(id);
    CHECK_THAT(dom, Contains(std::string("<svg id=\"") + id + "\""));
  }
  // Chromium logs script errors and failed loads as console messages.
  const std::string log = slurp(dir.file("dom.err"));
  CHECK(log.find("CONSOLE") == std::string::npos);
  CHECK(log.find("Uncaught") == std::string::npos);

  const std::string shot_cmd = "timeout 120 /usr/bin/chromium " + flags +
                               " --window-size=1200,3000 --screenshot=" + dir.file("page.png") +
                               " " + page + " > /dev/null 2>&1";
  REQUIRE(std::system(shot_cmd.c_str()) == 0);
  REQUIRE(std::filesystem::exists(dir.file("page.png")));
  // A page of plots compresses far worse than a blank one (~10 kB at this size).
  CHECK(std::filesystem::file_size(dir.file("page.png")) > 100000);
}
