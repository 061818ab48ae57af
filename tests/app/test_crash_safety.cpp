#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "common/rng.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

pid_t spawn(const std::vector<std::string>& args, const std::string& log,
            const std::string& env = "") {
  return evostream::testing::spawn(EVOSTREAM_BINARY, args, log, env);
}

// The hash of the smoke run never interrupted (computed once).
const std::string& uninterrupted_hash() {
  static const std::string hash = [] {
    TempDir d;
    REQUIRE(run_to_exit({"run", config("smoke.toml"), "--out", d.file("run")}, d.file("log")) == 0);
    return inspect_hash(d.file("run"), d.file("hash"));
  }();
  return hash;
}

}  // namespace

TEST_CASE("A run killed at random moments and resumed ends in the uninterrupted state",
          "[app][crash]") {
  const std::string expected = uninterrupted_hash();
  REQUIRE_THAT(expected, Contains("state-hash: "));
  for (uint64_t trial = 0; trial < 3; ++trial) {
    TempDir d;
    const std::string dir = d.file("run");
    evostream::common::Rng rng(1000 + trial);
    int kills = 0;
    bool done = false;
    for (int attempt = 0; attempt < 20 && !done; ++attempt) {
      const bool started = fs::exists(dir + "/snapshots/snapshot-000000.h5");
      const std::vector<std::string> args =
          started ? std::vector<std::string>{"resume", dir}
                  : std::vector<std::string>{"run", config("smoke.toml"), "--out", dir, "--force"};
      const pid_t pid = spawn(args, d.file("log"));
      // Kill the first few attempts after 50..1500 ms, whatever they are doing.
      if (kills < 3) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng.uniform_int(1450)));
        if (kill(pid, SIGKILL) == 0)
          ++kills;
      }
      const int status = wait_for(pid);
      INFO(slurp(d.file("log")));
      // A resume of a run that a kill left complete says so and exits 1.
      done = status == 0 || slurp(d.file("log")).find("the run is complete") != std::string::npos;
      REQUIRE((status == 0 || status == 128 + SIGKILL || done));
    }
    REQUIRE(done);
    CHECK(inspect_hash(dir, d.file("hash")) == expected);
  }
}

TEST_CASE("A run killed in the middle of a snapshot write resumes from the previous one",
          "[app][crash]") {
  const std::string expected = uninterrupted_hash();
  TempDir d;
  const std::string dir = d.file("run");
  CHECK(run_to_exit({"run", config("smoke.toml"), "--out", dir}, d.file("log"),
                    "EVOSTREAM_KILL_IN_SNAPSHOT=2") == 128 + SIGKILL);
  CHECK(fs::exists(dir + "/snapshots/snapshot-000002.h5.tmp"));
  CHECK_FALSE(fs::exists(dir + "/snapshots/snapshot-000002.h5"));
  REQUIRE(run_to_exit({"resume", dir}, d.file("log")) == 0);
  CHECK_THAT(slurp(d.file("log")), Contains("resuming " + dir + " from snapshot 1"));
  CHECK(inspect_hash(dir, d.file("hash")) == expected);
}

TEST_CASE("Regularised and replaying runs killed in a snapshot resume to their uninterrupted state",
          "[app][crash]") {
  // EWC's Fisher information is committed with each task and LwF distils from the committed
  // backbone: a resumed run must find both in the snapshot.
  for (const std::string strategy : {"ewc", "lwf", "replay", "cumulative", "joint"}) {
    INFO(strategy);
    TempDir d;
    REQUIRE(
        run_to_exit({"run", config("smoke.toml"), "--strategy", strategy, "--out", d.file("whole")},
                    d.file("log")) == 0);
    const std::string expected = inspect_hash(d.file("whole"), d.file("hash"));
    CHECK(expected != uninterrupted_hash());
    CHECK(run_to_exit({"run", config("smoke.toml"), "--strategy", strategy, "--out", d.file("run")},
                      d.file("log"), "EVOSTREAM_KILL_IN_SNAPSHOT=2") == 128 + SIGKILL);
    REQUIRE(run_to_exit({"resume", d.file("run")}, d.file("log")) == 0);
    CHECK(inspect_hash(d.file("run"), d.file("hash")) == expected);
  }
}

TEST_CASE("A run carrying Adam's state from task to task resumes to its uninterrupted state",
          "[app][crash]") {
  // The moments and step counts travel in the snapshots with the backbone that carries them.
  TempDir d;
  const std::vector<std::string> set = {"--strategy", "sequential",
                                        "--set",      "strategy.sequential.optimizer=\"adam\"",
                                        "--set",      "strategy.sequential.carry_optimizer=true"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), set.begin(), set.end());
    return args;
  };
  REQUIRE(run_to_exit(with({"run", config("smoke.toml"), "--out", d.file("whole")}),
                      d.file("log")) == 0);
  const std::string expected = inspect_hash(d.file("whole"), d.file("hash"));
  CHECK(run_to_exit(with({"run", config("smoke.toml"), "--out", d.file("run")}), d.file("log"),
                    "EVOSTREAM_KILL_IN_SNAPSHOT=2") == 128 + SIGKILL);
  REQUIRE(run_to_exit({"resume", d.file("run")}, d.file("log")) == 0);
  CHECK(inspect_hash(d.file("run"), d.file("hash")) == expected);
}

TEST_CASE("A run with two tasks evolving at once resumes into its uninterrupted state",
          "[app][crash]") {
  // The smoke stream with concurrent_tasks = 2: the kill in snapshot 2 abandons the third task,
  // which evolved from the first commit only; the resumed run must restart it from there.
  TempDir d;
  std::string text = slurp(config("smoke.toml"));
  text += "\n[run]\nconcurrent_tasks = 2\n";
  write_text(d.file("smoke-2.toml"), text);
  REQUIRE(run_to_exit({"run", d.file("smoke-2.toml"), "--out", d.file("whole")}, d.file("log")) ==
          0);
  const std::string expected = inspect_hash(d.file("whole"), d.file("hash"));
  CHECK(expected != uninterrupted_hash());
  CHECK(run_to_exit({"run", d.file("smoke-2.toml"), "--out", d.file("run"), "--trainers", "2"},
                    d.file("log"), "EVOSTREAM_KILL_IN_SNAPSHOT=2") == 128 + SIGKILL);
  REQUIRE(run_to_exit({"resume", d.file("run")}, d.file("log")) == 0);
  CHECK(inspect_hash(d.file("run"), d.file("hash")) == expected);
}

TEST_CASE("SIGINT ends a run with a complete snapshot and says how to resume", "[app][crash]") {
  const std::string expected = uninterrupted_hash();
  TempDir d;
  const std::string dir = d.file("run");
  const pid_t pid = spawn({"run", config("smoke.toml"), "--out", dir}, d.file("log"));
  for (int i = 0; i < 2000 && !fs::exists(dir + "/snapshots/snapshot-000001.h5"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  kill(pid, SIGINT);
  const int status = wait_for(pid);
  const std::string log = slurp(d.file("log"));
  INFO(log);
  if (log.find("interrupted after") != std::string::npos) {
    // Interrupted: the clean stop exits 130 (as SIGINT does) and prints the command to paste,
    // with the program as it was invoked.
    CHECK(status == 130);
    CHECK_THAT(log, Contains("continue with: " + std::string(EVOSTREAM_BINARY) + " resume " + dir));
    REQUIRE(run_to_exit({"resume", dir}, d.file("log")) == 0);
  } else {
    CHECK(status == 0);  // it finished before the signal came
  }
  CHECK(inspect_hash(dir, d.file("hash")) == expected);
}

TEST_CASE("SIGINT while the stream waits for a task's arrival stops the run at once",
          "[app][crash]") {
  // The smoke stream with its second task a day after the first.
  TempDir d;
  std::string text = slurp(config("smoke.toml"));
  const std::string second = "name = \"a-pairs\"\n";
  REQUIRE(text.find(second) != std::string::npos);
  text.replace(text.find(second), second.size(), second + "delay = 86400\n");
  write_text(d.file("late.toml"), text);
  const std::string dir = d.file("run");
  const pid_t pid = spawn({"run", d.file("late.toml"), "--out", dir, "--json"}, d.file("log"));
  REQUIRE(wait_for_text(d.file("log"), "\"event\":\"waiting\"", 120));
  kill(pid, SIGINT);
  CHECK(wait_for(pid) == 130);
  const std::string log = slurp(d.file("log"));
  INFO(log);
  CHECK_THAT(log, Contains("\"event\":\"interrupted\""));
  CHECK_THAT(log, Contains("\"events_done\":1"));
}

TEST_CASE("A run directory is written by one process at a time", "[app][crash]") {
  // The smoke stream with its second task a day after the first: the run holds its directory
  // while it waits.
  TempDir d;
  std::string text = slurp(config("smoke.toml"));
  const std::string second = "name = \"a-pairs\"\n";
  text.replace(text.find(second), second.size(), second + "delay = 86400\n");
  write_text(d.file("late.toml"), text);
  const std::string dir = d.file("run");
  const pid_t pid = spawn({"run", d.file("late.toml"), "--out", dir, "--json"}, d.file("log"));
  REQUIRE(wait_for_text(d.file("log"), "\"event\":\"waiting\"", 120));
  const std::string holder = "in use by another evostream process (pid " + std::to_string(pid);
  CHECK(run_to_exit({"run", config("smoke.toml"), "--out", dir, "--force"}, d.file("second")) != 0);
  CHECK_THAT(slurp(d.file("second")), Contains(dir + ": in use") && Contains(holder));
  CHECK(run_to_exit({"resume", dir}, d.file("second")) != 0);
  CHECK_THAT(slurp(d.file("second")), Contains(holder));
  CHECK(run_to_exit({"serve", dir, "--port", "0"}, d.file("second")) != 0);
  CHECK_THAT(slurp(d.file("second")), Contains(holder));
  // A SIGKILL leaves no stale lock: the kernel releases it with the process.
  kill(pid, SIGKILL);
  wait_for(pid);
  CHECK(run_to_exit({"run", config("smoke.toml"), "--out", dir, "--force"}, d.file("third")) == 0);
}

TEST_CASE("Resuming a finished run or a directory that is not a run fails clearly",
          "[app][crash]") {
  TempDir d;
  const std::string dir = d.file("run");
  REQUIRE(run_to_exit({"run", config("smoke.toml"), "--out", dir}, d.file("log")) == 0);
  CHECK(run_to_exit({"resume", dir}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("the run is complete (3 of 3 task visits)"));
  CHECK(run_to_exit({"run", config("smoke.toml"), "--out", dir}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("already holds a run"));
  CHECK(run_to_exit({"resume", d.path()}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("not a run directory"));
  CHECK(run_to_exit({"inspect", d.path()}, d.file("log")) == 1);
}

TEST_CASE("A run killed while it trains its root says how to start again", "[app][crash]") {
  TempDir d;
  std::string text = slurp(config("smoke.toml"));
  const std::string steps = "steps = 200\n";
  REQUIRE(text.find(steps) != std::string::npos);
  text.replace(text.find(steps), steps.size(), "steps = 1000000\n");
  write_text(d.file("long-root.toml"), text);
  const std::string dir = d.file("run");
  const pid_t pid = spawn({"run", d.file("long-root.toml"), "--out", dir}, d.file("log"));
  REQUIRE(wait_for_text(d.file("log"), "training root", 120));
  kill(pid, SIGKILL);
  wait_for(pid);
  CHECK(run_to_exit({"resume", dir}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")),
             Contains(dir + ": the run stopped before its root was saved") &&
                 Contains("start it again with the same `" + std::string(EVOSTREAM_BINARY) +
                          " run` command and --force"));
  // What it left is evostream's own: a new run may replace it.
  CHECK(run_to_exit({"run", config("smoke.toml"), "--out", dir, "--force"}, d.file("log")) == 0);
}

TEST_CASE("A write the system refuses ends the run with one line, not a crash", "[app][crash]") {
  // A file size limit makes the kernel refuse writes as a full disk does (EFBIG for ENOSPC).
  TempDir d;
  const pid_t pid = evostream::testing::spawn(
      "/bin/sh",
      {"-c", std::string("ulimit -f 16 && exec ") + EVOSTREAM_BINARY + " run " +
                 config("smoke.toml") + " --out " + d.file("run")},
      d.file("log"));
  const int status = wait_for(pid, 120);
  const std::string log = slurp(d.file("log"));
  INFO(log);
  CHECK(status == 1);
  CHECK_THAT(log, Contains("evostream: error: " + d.file("run") + "/root.h5: cannot write") &&
                      Contains("File too large"));
  CHECK_FALSE(fs::exists(d.file("run") + "/root.h5"));
  CHECK_FALSE(fs::exists(d.file("run") + "/root.h5.tmp"));
}

TEST_CASE("A run stopped by a full disk resumes once there is space", "[app][crash][disk]") {
  // A real full disk needs a small filesystem: a tmpfs, which only root can mount.
  TempDir d;
  const std::string mnt = d.file("small");
  fs::create_directory(mnt);
  if (geteuid() != 0 ||
      std::system(("mount -t tmpfs -o size=130k tmpfs " + mnt + " 2>/dev/null").c_str()) != 0) {
    WARN("not run: mounting a small tmpfs needs root");
    return;
  }
  struct Unmount {
    std::string at;
    ~Unmount() { std::system(("umount " + at).c_str()); }
  } unmount{mnt};
  const std::string expected = uninterrupted_hash();
  const std::string dir = mnt + "/run";
  CHECK(run_to_exit({"run", config("smoke.toml"), "--out", dir}, d.file("log")) == 1);
  const std::string log = slurp(d.file("log"));
  INFO(log);
  // Whichever write meets the full disk first (a snapshot, the events log) names it and why.
  CHECK_THAT(log, Contains("evostream: error: ") && Contains("No space left on device"));
  CHECK_THAT(log, !Contains("unhandled exception"));
  // Room again: the run continues from its last complete snapshot to the same end.
  REQUIRE(std::system(("mount -o remount,size=4m " + mnt).c_str()) == 0);
  CHECK(run_to_exit({"resume", dir}, d.file("resume.log")) == 0);
  CHECK(inspect_hash(dir, d.file("hash")) == expected);
}
