#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// The smoke stream, run once into `dir` with `flags`.
CliResult smoke(const std::string& dir, const std::string& flags = "") {
  return run_cli("run " + config("smoke.toml") + " --out " + dir + " " + flags);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = slurp(path);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  write_text(path, text.replace(at, from.size(), to));
}

}  // namespace

TEST_CASE("A run directory holds results, the matrix as CSV, events and a report", "[app]") {
  TempDir dir;
  const CliResult r = smoke(dir.file("run"));
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("report: " + dir.file("run") + "/report.html"));
  const std::string csv = slurp(dir.file("run/accuracy_matrix.csv"));
  CHECK_THAT(csv, StartsWith("learned,b-all,a-pairs,b-rotated\nb-all,"));
  CHECK(lines(csv) == 4);
  const auto events = split_lines(slurp(dir.file("run/events.jsonl")));
  REQUIRE(events.size() > 10);
  std::vector<std::string> kinds;
  size_t changed = 0;  // candidates whose mutations changed something
  for (const auto& line : events) {
    const auto e = nlohmann::json::parse(line);
    REQUIRE(e.contains("time"));
    kinds.push_back(e.at("event").get<std::string>());
    if (kinds.back() == "candidate")
      changed += !e.at("changes").empty();
  }
  CHECK(changed > 0);
  for (const char* kind : {"message", "root_step", "run_started", "task_started", "candidate",
                           "task_committed", "run_finished"}) {
    INFO(kind);
    CHECK(std::count(kinds.begin(), kinds.end(), kind) > 0);
  }
  CHECK(std::count(kinds.begin(), kinds.end(), "task_committed") == 3);
  CHECK(kinds.back() == "run_finished");
  const std::string report = slurp(dir.file("run/report.html"));
  CHECK_THAT(report, Contains("<svg id=\"model-graph\"") && Contains("<svg id=\"search-2\"") &&
                         Contains("<table id=\"recipes\">"));
}

TEST_CASE("run --json prints only events and --quiet only the summary", "[app]") {
  TempDir dir;
  const CliResult j = smoke(dir.file("j"), "--json");
  REQUIRE(j.status == 0);
  const auto printed = split_lines(j.out);
  CHECK(printed == split_lines(slurp(dir.file("j/events.jsonl"))));
  for (const auto& line : printed) {
    INFO(line);
    CHECK_THAT(line, StartsWith("{\"event\":"));
  }
  const CliResult q = smoke(dir.file("q"), "--quiet");
  REQUIRE(q.status == 0);
  CHECK(lines(q.out) == 3);
  CHECK_THAT(q.out, Contains("mu2net: average accuracy"));
  CHECK_THAT(q.out, Contains("state-hash: "));
}

TEST_CASE("report writes the page, --with adds runs and --dot prints the graph", "[app]") {
  TempDir dir;
  REQUIRE(smoke(dir.file("a"), "--quiet").status == 0);
  REQUIRE(
      smoke(dir.file("b"), "--quiet --strategy finetune --root " + dir.file("a/root.h5")).status ==
      0);
  const CliResult r = run_cli("report " + dir.file("a") + " --with " + dir.file("b"));
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("report written to " + dir.file("a") + "/report.html"));
  const std::string html = slurp(dir.file("a/report.html"));
  CHECK_THAT(html, Contains("<h2>Runs compared</h2>"));
  CHECK_THAT(html, Contains("finetune · b-all"));

  const CliResult d = run_cli("report " + dir.file("a") + " --dot");
  REQUIRE(d.status == 0);
  CHECK_THAT(d.out, StartsWith("digraph model {"));
  CHECK_THAT(d.out, Contains("root/block0"));

  const CliResult c = run_cli("compare " + dir.file("a") + " " + dir.file("b"));
  REQUIRE(c.status == 0);
  CHECK_THAT(c.out, Contains("mu2net"));
  CHECK_THAT(c.out, Contains("finetune"));
  CHECK_THAT(c.out, Contains("b-rotated"));
}

TEST_CASE("replay reaches the recorded state hash, and says where a changed run diverged",
          "[app]") {
  TempDir dir;
  REQUIRE(smoke(dir.file("run"), "--quiet").status == 0);
  const CliResult same = run_cli("replay " + dir.file("run") + " --quiet");
  REQUIRE(same.status == 0);
  CHECK_THAT(same.out, Contains("replay matches " + dir.file("run") + ": state-hash "));
  CHECK(std::filesystem::exists(dir.file("run/replay/results.json")));

  // A recorded result that the replay cannot reproduce.
  replace_in_file(dir.file("run/results.json"), "\"predictions_hash\": \"",
                  "\"predictions_hash\": \"0");
  const CliResult changed = run_cli("replay " + dir.file("run") + " --quiet");
  CHECK(changed.status == 1);
  CHECK_THAT(changed.out, Contains("replay diverged from " + dir.file("run") +
                                   ": task visit 1 (b-all): its test predictions differ"));
}

TEST_CASE("Commands on a directory that is not a finished run fail with one line", "[app]") {
  TempDir dir;
  for (const std::string cmd : {"report ", "compare ", "replay "}) {
    INFO(cmd);
    const CliResult r = run_cli(cmd + dir.path());
    CHECK(r.status == 1);
    CHECK(lines(r.err) == 1);
    CHECK_THAT(r.err, Contains(dir.path() + ": not a run directory with results"));
  }
  REQUIRE(smoke(dir.file("run"), "--quiet").status == 0);
  replace_in_file(dir.file("run/results.json"), "\"complete\": true", "\"complete\": false");
  const CliResult r = run_cli("replay " + dir.file("run"));
  CHECK(r.status == 1);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains("the run is not complete"));
  write_text(dir.file("run/results.json"), "{ broken");
  const CliResult broken = run_cli("report " + dir.file("run"));
  CHECK(broken.status == 1);
  CHECK_THAT(broken.err, Contains(dir.file("run/results.json") + ": not JSON"));
}

TEST_CASE("run and replay delete only directories evostream wrote", "[app]") {
  TempDir dir;
  // A directory of the user's, holding files with a run's names: left as it was.
  std::filesystem::create_directories(dir.file("mine/snapshots"));
  write_text(dir.file("mine/results.json"), "mine");
  write_text(dir.file("mine/notes.txt"), "mine");
  for (const std::string flags : {"--quiet", "--quiet --force"}) {
    INFO(flags);
    const CliResult r = smoke(dir.file("mine"), flags);
    CHECK(r.status != 0);
    CHECK(lines(r.err) == 1);
    CHECK_THAT(r.err, Contains(dir.file("mine") + ": --out names a directory that is not a run "
                                                  "evostream wrote"));
  }
  CHECK(slurp(dir.file("mine/results.json")) == "mine");
  CHECK(std::filesystem::exists(dir.file("mine/snapshots")));

  REQUIRE(smoke(dir.file("run"), "--quiet").status == 0);
  // Replaying into the run itself, or a directory above it, would destroy it.
  for (const std::string& out : {dir.file("run"), dir.file("run/"), dir.path()}) {
    INFO(out);
    const CliResult r = run_cli("replay " + dir.file("run") + " --out " + out + " --quiet");
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Contains("which this command reads"));
  }
  const CliResult user = run_cli("replay " + dir.file("run") + " --out " + dir.file("mine"));
  CHECK(user.status != 0);
  CHECK_THAT(user.err, Contains("not a run evostream wrote"));
  CHECK(slurp(dir.file("mine/notes.txt")) == "mine");
  // A run directory may be replaced: with --force, and by a replay.
  CHECK(smoke(dir.file("run"), "--quiet --force").status == 0);
  CHECK(run_cli("replay " + dir.file("run") + " --out " + dir.file("again") + " --quiet").status ==
        0);
  CHECK(run_cli("replay " + dir.file("run") + " --out " + dir.file("again") + " --quiet").status ==
        0);
}

TEST_CASE(
    "A root imported into an untrained-root scenario is kept as imported, and µ2Net "
    "clones an untrained one",
    "[app]") {
  TempDir dir;
  // The minimal scenario with an untrained root, and µ2Net's search short.
  std::string tiny = minimal_scenario(
      "\n[strategy]\ntask_steps = 8\nbatch_size = 8\nvalidation_interval = 4\n"
      "[strategy.mu2net]\ngenerations = 2\nchildren = 2\n");
  auto swap = [&tiny](const std::string& from, const std::string& to) {
    const size_t at = tiny.find(from);
    REQUIRE(at != std::string::npos);
    tiny.replace(at, from.size(), to);
  };
  swap("[root.pretrain]\nname = \"pre\"\ndataset = \"syn\"\n", "");
  swap("[root]\n", "[root]\nsource = \"init\"\n");
  write_text(dir.file("tiny.toml"), tiny);
  REQUIRE(run_cli("run " + dir.file("tiny.toml") + " --quiet --out " + dir.file("a")).status == 0);
  // The untrained root's components were all cloned: the task's path holds none of them.
  const std::string events = slurp(dir.file("a/events.jsonl"));
  CHECK_THAT(events, Contains("\"event\":\"snapshot\""));
  CHECK_THAT(events, !Contains("\"components\":[\"root/") && !Contains(",\"root/"));
  REQUIRE(run_cli("run " + dir.file("tiny.toml") + " --quiet --root " + dir.file("a/root.h5") +
                  " --out " + dir.file("b"))
              .status == 0);
  const std::string kept = slurp(dir.file("b/scenario.toml"));
  CHECK_THAT(kept, Contains("source = 'import'") || Contains("source = \"import\""));
  CHECK_THAT(kept, Contains(dir.file("a/root.h5")));
  CHECK_THAT(slurp(dir.file("a/scenario.toml")), Contains("source = \"init\""));
}
