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
std::pair<pid_t, std::string> listening_run(const TempDir& d, const std::string& dir) {
  const pid_t pid = spawn(
      EVOSTREAM_BINARY,
      {"run", smoke(), "--out", dir, "--listen", "0", "--wait-workers", "1", "--trainers", "1"},
      d.file("run.log"));
  REQUIRE(wait_for_text(d.file("run.log"), "listening for workers on", 60));
  std::smatch m;
  const std::string log = slurp(d.file("run.log"));
  REQUIRE(std::regex_search(log, m, std::regex("127\\.0\\.0\\.1:([0-9]+)")));
  return {pid, m[1].str()};
}

}  // namespace

TEST_CASE("A worker process joins a run over the network and the run ends in the same state",
          "[app][remote]") {
  TempDir d;
  REQUIRE(run_evostream({"run", smoke(), "--out", d.file("plain")}, d.file("plain.log")) == 0);
  const std::string expected = hash_of(d.file("plain"), d.file("h1"));

  auto [run, port] = listening_run(d, d.file("net"));
  const pid_t worker =
      spawn(EVOSTREAM_BINARY, {"worker", "--connect", "127.0.0.1:" + port}, d.file("worker.log"));
  // Bounded: a run or worker that hangs fails here with both logs (a smoke run takes seconds).
  const int run_status = wait_for(run, 180);
  const int worker_status = wait_for(worker, 60);
  INFO("run log:\n"
       << slurp(d.file("run.log")) << "\nworker log:\n"
       << slurp(d.file("worker.log")));
  CHECK(run_status == 0);
  CHECK(worker_status == 0);
  CHECK_THAT(slurp(d.file("worker.log")), Contains("worker: joined 127.0.0.1:" + port));
  CHECK_THAT(slurp(d.file("worker.log")), Contains("worker: the run has ended"));
  CHECK(hash_of(d.file("net"), d.file("h2")) == expected);
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
