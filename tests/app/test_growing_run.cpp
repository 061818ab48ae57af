#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// The smoke scenario cut before its last task, and that task alone as an extension.
struct SmokeParts {
  std::string head;
  std::string last;
};

SmokeParts smoke_parts() {
  const std::string text = slurp(std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml");
  const size_t cut = text.rfind("[[tasks]]");
  REQUIRE(cut != std::string::npos);
  return {text.substr(0, cut), text.substr(cut)};
}

}  // namespace

TEST_CASE("A finished run grown by more tasks ends in the state of a run that had them all",
          "[app][grow]") {
  const std::string strategy = GENERATE(std::string("mu2net"), std::string("ewc"));
  INFO(strategy);
  TempDir d;
  const SmokeParts parts = smoke_parts();
  // The datasets are synthetic: the scenario may live anywhere.
  write_text(d.file("head.toml"), parts.head);
  write_text(d.file("more.toml"), parts.last);
  const std::string smoke = std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml";
  REQUIRE(run_to_exit({"run", smoke, "--strategy", strategy, "--out", d.file("all"), "--quiet"},
                      d.file("log")) == 0);
  const std::string expected = inspect_hash(d.file("all"), d.file("hash"));
  REQUIRE_THAT(expected, Contains("state-hash: "));

  REQUIRE(run_to_exit({"run", d.file("head.toml"), "--strategy", strategy, "--out", d.file("grown"),
                       "--root", d.file("all/root.h5"), "--quiet"},
                      d.file("log")) == 0);
  CHECK(inspect_hash(d.file("grown"), d.file("hash")) != expected);
  REQUIRE(run_to_exit({"resume", d.file("grown")}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("--tasks MORE.toml"));
  REQUIRE(run_to_exit({"resume", d.file("grown"), "--tasks", d.file("more.toml")}, d.file("log")) ==
          0);
  INFO(slurp(d.file("log")));
  CHECK_THAT(slurp(d.file("log")), Contains("the stream grows by 1 task"));
  CHECK(inspect_hash(d.file("grown"), d.file("hash")) == expected);
  // The scenario copy holds the grown stream: `inspect`, `report` and `predict` see the task.
  CHECK_THAT(slurp(d.file("grown/scenario.toml")), Contains("b-rotated"));
  CHECK_THAT(slurp(d.file("grown/results.json")), Contains("\"b-rotated\""));
  // Growing by a task the run has already is refused, naming the file.
  REQUIRE(run_to_exit({"resume", d.file("grown"), "--tasks", d.file("more.toml")}, d.file("log")) ==
          1);
  CHECK_THAT(slurp(d.file("log")),
             Contains(d.file("more.toml") + ":2: tasks[0].name: the run already has a task"));
}

TEST_CASE("A grown run killed before it learns the new tasks resumes them without --tasks",
          "[app][grow][crash]") {
  TempDir d;
  const SmokeParts parts = smoke_parts();
  write_text(d.file("head.toml"), parts.head);
  write_text(d.file("more.toml"), parts.last);
  const std::string smoke = std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml";
  REQUIRE(run_to_exit({"run", smoke, "--out", d.file("all"), "--quiet"}, d.file("log")) == 0);
  const std::string expected = inspect_hash(d.file("all"), d.file("hash"));
  REQUIRE(run_to_exit({"run", d.file("head.toml"), "--out", d.file("grown"), "--root",
                       d.file("all/root.h5"), "--quiet"},
                      d.file("log")) == 0);
  const pid_t pid = spawn(
      EVOSTREAM_BINARY, {"resume", d.file("grown"), "--tasks", d.file("more.toml")}, d.file("log"));
  REQUIRE(wait_for_text(d.file("grown/events.jsonl"), "the stream grows", 60.0));
  kill(pid, SIGKILL);
  wait_for(pid);
  // The kill may come after the task was learned: then the run is complete.
  const int status = run_to_exit({"resume", d.file("grown")}, d.file("log"));
  INFO(slurp(d.file("log")));
  CHECK((status == 0 || slurp(d.file("log")).find("the run is complete") != std::string::npos));
  CHECK(inspect_hash(d.file("grown"), d.file("hash")) == expected);
}

TEST_CASE("A stream of several rounds cannot grow, and says why", "[app][grow]") {
  TempDir d;
  const SmokeParts parts = smoke_parts();
  write_text(d.file("head.toml"), parts.head + "\n[run]\niterations = 2\n");
  write_text(d.file("more.toml"), parts.last);
  REQUIRE(run_to_exit({"run", d.file("head.toml"), "--strategy", "finetune", "--out", d.file("run"),
                       "--quiet", "--set", "strategy.task_steps=20"},
                      d.file("log")) == 0);
  const std::string before = slurp(d.file("run/scenario.toml"));
  REQUIRE(run_to_exit({"resume", d.file("run"), "--tasks", d.file("more.toml")}, d.file("log")) ==
          1);
  CHECK_THAT(slurp(d.file("log")), Contains("run.iterations: a stream of 2 rounds cannot grow"));
  CHECK(slurp(d.file("run/scenario.toml")) == before);
}
