#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "actors/tls_credentials.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// Starts a smoke run that waits for one worker; returns its pid and the port it listens on.
// `extra` is appended to the run's arguments; `trainers` are its own.
std::pair<pid_t, std::string> listening_run(const TempDir& d, const std::string& dir,
                                            const std::vector<std::string>& extra = {},
                                            const std::string& trainers = "1") {
  std::vector<std::string> args{"run", config("smoke.toml"), "--out", dir,          "--listen",
                                "0",   "--wait-workers",     "1",     "--trainers", trainers};
  args.insert(args.end(), extra.begin(), extra.end());
  const pid_t pid = spawn(EVOSTREAM_BINARY, args, d.file("run.log"));
  REQUIRE(wait_for_text(d.file("run.log"), "listening for workers on", 60));
  std::smatch m;
  const std::string log = slurp(d.file("run.log"));
  REQUIRE(std::regex_search(log, m, std::regex("127\\.0\\.0\\.1:([0-9]+)")));
  return {pid, m[1].str()};
}

// A worker's arguments for the run in `dir` listening on `port`: with the run's credentials.
std::vector<std::string> worker_of(const std::string& dir, const std::string& port) {
  return {"worker", "--connect", "127.0.0.1:" + port, "--credentials", dir + "/tls.pem"};
}

// Runs the smoke stream plainly, then with one trainer of its own and one worker process (both
// with the run arguments `extra`); checks both processes end well and returns the two state
// hashes. Bounded: a run or worker that hangs fails with both logs (a smoke run takes seconds).
std::pair<std::string, std::string> plain_and_networked(const TempDir& d,
                                                        const std::vector<std::string>& extra) {
  std::vector<std::string> plain{"run", config("smoke.toml"), "--out", d.file("plain")};
  plain.insert(plain.end(), extra.begin(), extra.end());
  REQUIRE(run_to_exit(plain, d.file("plain.log")) == 0);
  const std::string expected = inspect_hash(d.file("plain"), d.file("h1"));
  auto [run, port] = listening_run(d, d.file("net"), extra);
  const pid_t worker =
      spawn(EVOSTREAM_BINARY, worker_of(d.file("net"), port), d.file("worker.log"));
  const int run_status = wait_for(run, 180);
  const int worker_status = wait_for(worker, 60);
  INFO("run log:\n"
       << slurp(d.file("run.log")) << "\nworker log:\n"
       << slurp(d.file("worker.log")));
  CHECK(run_status == 0);
  CHECK(worker_status == 0);
  CHECK_THAT(slurp(d.file("worker.log")), Contains("worker: joined 127.0.0.1:" + port));
  CHECK_THAT(slurp(d.file("worker.log")), Contains("worker: the run has ended"));
  return {expected, inspect_hash(d.file("net"), d.file("h2"))};
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
  const pid_t helper =
      spawn(EVOSTREAM_BINARY, worker_of(e.file("alone"), alone_port), e.file("worker.log"));
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
  REQUIRE(run_to_exit({"run", config("smoke.toml"), "--out", d.file("plain")},
                      d.file("plain.log")) == 0);
  const std::string expected = inspect_hash(d.file("plain"), d.file("h1"));

  auto [run, port] = listening_run(d, d.file("net"));
  const pid_t worker = spawn(EVOSTREAM_BINARY, worker_of(d.file("net"), port), d.file("worker.log"),
                             "EVOSTREAM_WORKER_DIE_IN_JOB=2");
  const int worker_status = wait_for(worker, 180);
  const int run_status = wait_for(run, 180);
  INFO("run log:\n"
       << slurp(d.file("run.log")) << "\nworker log:\n"
       << slurp(d.file("worker.log")));
  CHECK(worker_status == 128 + SIGKILL);
  CHECK(run_status == 0);
  CHECK_THAT(slurp(d.file("run.log")), Contains("1 job(s) ran again after their trainer died"));
  CHECK(inspect_hash(d.file("net"), d.file("h2")) == expected);
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
  CHECK(run_to_exit({"run", config("smoke.toml"), "--out", d.file("r"), "--listen", port},
                    d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("cannot listen on 127.0.0.1:" + port));
  close(fd);

  CHECK(run_to_exit({"worker", "--connect", "127.0.0.1:" + port, "--insecure"}, d.file("log")) ==
        1);
  CHECK_THAT(slurp(d.file("log")), Contains("cannot connect to 127.0.0.1:" + port));
  for (const char* bad : {"nowhere", "host:", ":80", "host:0", "host:65536", "host:8o"}) {
    CHECK(run_to_exit({"worker", "--connect", bad, "--insecure"}, d.file("log")) == 2);
    CHECK_THAT(slurp(d.file("log")), Contains("--connect: expected HOST:PORT"));
  }
}

namespace {

// Peak resident memory of process `pid` in KiB (VmHWM), 0 if unknown.
long peak_kib_of(pid_t pid) {
  const std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  std::smatch m;
  if (!std::regex_search(status, m, std::regex("VmHWM:\\s+([0-9]+) kB")))
    return 0;
  return std::stol(m[1].str());
}

// Sends `bytes` to 127.0.0.1:port and closes the connection.
void send_raw(const std::string& port, const std::vector<uint8_t>& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  usleep(200'000);
  close(fd);
}

}  // namespace

TEST_CASE("Only a worker holding the run's credentials can join it", "[app][remote]") {
  TempDir d;
  auto [run, port] = listening_run(d, d.file("net"));
  CHECK_THAT(slurp(d.file("run.log")),
             Contains("mutual TLS (evostream worker --connect 127.0.0.1:" + port +
                      " --credentials " + d.file("net") + "/tls.pem)"));
  const long before = peak_kib_of(run);
  // A frame header announcing a 4 GiB payload, as a hostile client would send it.
  std::vector<uint8_t> header(32, 0xff);
  send_raw(port, header);
  // A worker without credentials is told what it needs; one speaking plain TCP, or holding
  // another run's credentials, ends in the handshake.
  CHECK(run_to_exit({"worker", "--connect", "127.0.0.1:" + port}, d.file("w0.log")) == 2);
  CHECK_THAT(slurp(d.file("w0.log")),
             Contains("--credentials: expected the run's key and certificate file"));
  CHECK(run_to_exit({"worker", "--connect", "127.0.0.1:" + port, "--insecure"}, d.file("w1.log")) ==
        1);
  CHECK_THAT(slurp(d.file("w1.log")), Contains("cannot connect to 127.0.0.1:" + port));
  evostream::actors::TlsCredentials::create(d.file("other.pem"), "someone else");
  CHECK(run_to_exit(
            {"worker", "--connect", "127.0.0.1:" + port, "--credentials", d.file("other.pem")},
            d.file("w2.log")) == 1);
  CHECK_THAT(slurp(d.file("w2.log")),
             Contains("cannot connect to 127.0.0.1:" + port) && Contains("handshake"));
  CHECK(peak_kib_of(run) - before < 64 * 1024);
  // The run still waits for its worker, and ends well with the right one.
  const pid_t worker = spawn(EVOSTREAM_BINARY, worker_of(d.file("net"), port), d.file("w3.log"));
  const int run_status = wait_for(run, 180);
  CHECK(wait_for(worker, 60) == 0);
  INFO("run log:\n" << slurp(d.file("run.log")));
  CHECK(run_status == 0);
}

TEST_CASE("A run started with --insecure takes plain TCP workers and says what that gives up",
          "[app][remote]") {
  TempDir d;
  REQUIRE(run_to_exit({"run", config("smoke.toml"), "--out", d.file("plain")},
                      d.file("plain.log")) == 0);
  auto [run, port] = listening_run(d, d.file("net"), {"--insecure"});
  const std::string log = slurp(d.file("run.log"));
  CHECK_THAT(log, Contains("warning: --insecure: workers connect over plain TCP on 127.0.0.1, "
                           "without authentication or encryption"));
  CHECK_THAT(log,
             Contains("plain TCP (evostream worker --connect 127.0.0.1:" + port + " --insecure)"));
  CHECK_FALSE(std::filesystem::exists(d.file("net") + "/tls.pem"));
  // A valid BASP header (a client handshake of protocol version 3) announcing a payload of
  // 4 GiB − 256 MiB: CAF would allocate it; the relay closes the connection first.
  const long before = peak_kib_of(run);
  std::vector<uint8_t> header(32, 0);
  header[0] = 0x01;
  header[4] = 0xf0;
  header[15] = 3;
  send_raw(port, header);
  REQUIRE(wait_for_text(d.file("run.log"), "over the limit", 30));
  CHECK_THAT(slurp(d.file("run.log")),
             Contains("warning: connection with 127.0.0.1:") &&
                 Contains("closed: it announced a message of 4026531840 bytes, over the limit of "
                          "1 MiB for a connection's first one"));
  CHECK(peak_kib_of(run) - before < 64 * 1024);
  const pid_t worker =
      spawn(EVOSTREAM_BINARY, {"worker", "--connect", "127.0.0.1:" + port, "--insecure"},
            d.file("worker.log"));
  CHECK(wait_for(run, 180) == 0);
  CHECK(wait_for(worker, 60) == 0);
  CHECK(inspect_hash(d.file("net"), d.file("h2")) == inspect_hash(d.file("plain"), d.file("h1")));
}

TEST_CASE("A run whose only worker died waits for another, which finishes it", "[app][remote]") {
  TempDir d;
  REQUIRE(run_to_exit({"run", config("smoke.toml"), "--out", d.file("plain")},
                      d.file("plain.log")) == 0);
  auto [run, port] = listening_run(d, d.file("net"), {"--worker-timeout", "120"}, "0");
  const pid_t first = spawn(EVOSTREAM_BINARY, worker_of(d.file("net"), port), d.file("w1.log"),
                            "EVOSTREAM_WORKER_DIE_IN_JOB=2");
  CHECK(wait_for(first, 120) == 128 + SIGKILL);
  REQUIRE(wait_for_text(d.file("run.log"), "no trainer left", 60));
  CHECK_THAT(slurp(d.file("run.log")),
             Contains("no trainer left (the last worker went away): waiting up to 120 s for a "
                      "worker to join"));
  const pid_t second = spawn(EVOSTREAM_BINARY, worker_of(d.file("net"), port), d.file("w2.log"));
  const int run_status = wait_for(run, 180);
  CHECK(wait_for(second, 60) == 0);
  INFO("run log:\n" << slurp(d.file("run.log")));
  CHECK(run_status == 0);
  CHECK(inspect_hash(d.file("net"), d.file("h2")) == inspect_hash(d.file("plain"), d.file("h1")));
}

TEST_CASE("A worker cut off by a message over its --max-message says so and exits 1",
          "[app][remote]") {
  TempDir d;
  // A root of about a million parameters: the first job carries over 4 MB of frozen components.
  auto [run, port] = listening_run(d, d.file("net"),
                                   {"--set", "root.architecture.dim=256", "--set",
                                    "root.architecture.mlp=512", "--worker-timeout", "5"},
                                   "0");
  std::vector<std::string> worker = worker_of(d.file("net"), port);
  worker.insert(worker.end(), {"--max-message", "1"});
  CHECK(run_to_exit(worker, d.file("w.log")) == 1);
  const std::string log = slurp(d.file("w.log"));
  CHECK_THAT(log, Contains("worker: joined 127.0.0.1:" + port) &&
                      Contains("closed: it announced a message of ") &&
                      Contains("bytes, over the limit of 1 MiB (raise --max-message"));
  // The run, its only trainer gone, waits for another and then fails.
  CHECK(wait_for(run, 120) != 0);
  CHECK_THAT(slurp(d.file("run.log")), Contains("no trainer left"));
}
