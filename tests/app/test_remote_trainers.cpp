#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>

#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

std::string smoke() {
  return std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml";
}

int run_evostream(const std::vector<std::string>& args, const std::string& log) {
  return wait_for(spawn(EVOSTREAM_BINARY, args, log));
}

std::string hash_of(const std::string& dir, const std::string& log) {
  REQUIRE(run_evostream({"inspect", dir, "--hash"}, log) == 0);
  return slurp(log);
}

// Starts a smoke run that waits for one worker; returns its pid and the port it listens on.
// `extra` is appended to the run's arguments; `trainers` are its own.
std::pair<pid_t, std::string> listening_run(const TempDir& d, const std::string& dir,
                                            const std::vector<std::string>& extra = {},
                                            const std::string& trainers = "1") {
  std::vector<std::string> args{"run", smoke(), "--out", dir, "--listen", "0", "--wait-workers",
                                "1", "--trainers", trainers};
  args.insert(args.end(), extra.begin(), extra.end());
  const pid_t pid = spawn(EVOSTREAM_BINARY, args, d.file("run.log"));
  REQUIRE(wait_for_text(d.file("run.log"), "listening for workers on", 60));
  std::smatch m;
  const std::string log = slurp(d.file("run.log"));
  REQUIRE(std::regex_search(log, m, std::regex("127\\.0\\.0\\.1:([0-9]+)")));
  return {pid, m[1].str()};
}

// Runs the smoke stream plainly, then with one trainer of its own and one worker process (both
// with the run arguments `extra`); checks both processes end well and returns the two state
// hashes. Bounded: a run or worker that hangs fails with both logs (a smoke run takes seconds).
std::pair<std::string, std::string> plain_and_networked(const TempDir& d,
                                                        const std::vector<std::string>& extra) {
  std::vector<std::string> plain{"run", smoke(), "--out", d.file("plain")};
  plain.insert(plain.end(), extra.begin(), extra.end());
  REQUIRE(run_evostream(plain, d.file("plain.log")) == 0);
  const std::string expected = hash_of(d.file("plain"), d.file("h1"));
  auto [run, port] = listening_run(d, d.file("net"), extra);
  const pid_t worker =
      spawn(EVOSTREAM_BINARY, {"worker", "--connect", "127.0.0.1:" + port}, d.file("worker.log"));
  const int run_status = wait_for(run, 180);
  const int worker_status = wait_for(worker, 60);
  INFO("run log:\n"
       << slurp(d.file("run.log")) << "\nworker log:\n"
       << slurp(d.file("worker.log")));
  CHECK(run_status == 0);
  CHECK(worker_status == 0);
  CHECK_THAT(slurp(d.file("worker.log")), Contains("worker: joined 127.0.0.1:" + port));
  CHECK_THAT(slurp(d.file("worker.log")), Contains("worker: the run has ended"));
  return {expected, hash_of(d.file("net"), d.file("h2"))};
}

}  // namespace

TEST_CASE("A worker process joins a run over the network and the run ends in the same state",
          "[app][remote]") {
  TempDir d;
  const auto [expected, networked] = plain_and_networked(d, {});
  CHECK(networked == expected);
}

TEST_CASE("Jobs whose objective cannot travel train on the run's own trainers", "[app][remote]") {
  // LwF's first task trains plain cross-entropy (remote or local); the later ones distil from
  // the previous backbone, which stays in the run's process.
  TempDir d;
  const auto [expected, networked] = plain_and_networked(d, {"--strategy", "lwf"});
  CHECK(networked == expected);

  // With no trainer of its own, the run says why it cannot go on.
  TempDir e;
  auto [alone, alone_port] = listening_run(e, e.file("alone"), {"--strategy", "lwf"}, "0");
  const pid_t helper = spawn(EVOSTREAM_BINARY, {"worker", "--connect", "127.0.0.1:" + alone_port},
                             e.file("worker.log"));
  const int alone_status = wait_for(alone, 180);
  wait_for(helper, 60);
  INFO("run log:\n" << slurp(e.file("run.log")));
  CHECK(alone_status != 0);
  CHECK_THAT(slurp(e.file("run.log")),
             Contains("objective \"lwf\" cannot train remotely") &&
                 Contains("this run has no trainer of its own (--trainers 0)"));
}

TEST_CASE("A worker killed in the middle of a job has its job run elsewhere", "[app][remote]") {
  TempDir d;
  REQUIRE(run_evostream({"run", smoke(), "--out", d.file("plain")}, d.file("plain.log")) == 0);
  const std::string expected = hash_of(d.file("plain"), d.file("h1"));

  auto [run, port] = listening_run(d, d.file("net"));
  const pid_t worker = spawn(EVOSTREAM_BINARY, {"worker", "--connect", "127.0.0.1:" + port},
                             d.file("worker.log"), "EVOSTREAM_WORKER_DIE_IN_JOB=2");
  const int worker_status = wait_for(worker, 180);
  const int run_status = wait_for(run, 180);
  INFO("run log:\n"
       << slurp(d.file("run.log")) << "\nworker log:\n"
       << slurp(d.file("worker.log")));
  CHECK(worker_status == 128 + SIGKILL);
  CHECK(run_status == 0);
  CHECK_THAT(slurp(d.file("run.log")), Contains("1 job(s) ran again after their trainer died"));
  CHECK(hash_of(d.file("net"), d.file("h2")) == expected);
}

TEST_CASE("A worker without a run and a port in use fail with one clear line", "[app][remote]") {
  // A port that is bound (by this test) and not accepting.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  listen(fd, 1);

  TempDir d;
  CHECK(run_evostream({"run", smoke(), "--out", d.file("r"), "--listen", port}, d.file("log")) ==
        1);
  CHECK_THAT(slurp(d.file("log")), Contains("cannot listen on 127.0.0.1:" + port));
  close(fd);

  CHECK(run_evostream({"worker", "--connect", "127.0.0.1:" + port}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("cannot connect to 127.0.0.1:" + port));
  CHECK(run_evostream({"worker", "--connect", "nowhere"}, d.file("log")) == 2);
  CHECK_THAT(slurp(d.file("log")), Contains("--connect: expected HOST:PORT"));
}
