#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/curl_client.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;
using Json = nlohmann::json;

namespace {

const std::string kSmoke = std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml";
// The task the tests add, as JSON and as the [[tasks]] entry a scenario would hold.
const char* kExtraJson = R"({"name": "b-extra", "dataset": "shapes-b", "invert": true})";
const char* kExtraToml = "\n[[tasks]]\nname = \"b-extra\"\ndataset = \"shapes-b\"\ninvert = true\n";

// The state of smoke with the extra task, learned as one run from the start.
const std::string& reference_hash() {
  static const std::string hash = [] {
    TempDir d;
    write_text(d.file("all.toml"), slurp(kSmoke) + kExtraToml);
    REQUIRE(run_to_exit({"run", d.file("all.toml"), "--out", d.file("run"), "--quiet"},
                        d.file("log")) == 0);
    return inspect_hash(d.file("run"), d.file("hash"));
  }();
  return hash;
}

// Polls GET /tasks/NAME until the task is committed.
Json wait_committed(const CurlClient& c, const std::string& name, double seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    const Reply r = c.get("/tasks/" + name);
    REQUIRE(r.status == 200);
    if (r.json().at("state") == "committed")
      return r.json();
    REQUIRE(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The smoke stream learned into `dir`, then served on a free port (logs in `d`).
ServedRun serve_learned_smoke(const TempDir& d, const std::string& dir) {
  REQUIRE(run_to_exit({"run", kSmoke, "--out", dir, "--quiet"}, d.file("log")) == 0);
  return serve_in_background({"serve", dir, "--port", "0"}, d.file("serve.log"));
}

// Posts `body` until the run takes writes (503 while it starts); returns the answer.
Reply post_when_accepting(const CurlClient& c, const std::string& body) {
  Reply added;
  for (int i = 0; i < 600; ++i) {
    added = c.post("/tasks", body);
    if (added.status != 503)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return added;
}

// The position in `events_jsonl` of the first `kind` event of `task` (-1 for none).
int64_t event_position(const std::string& events_jsonl, const std::string& kind,
                       const std::string& task) {
  std::istringstream in(slurp(events_jsonl));
  int64_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    const Json e = Json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.value("event", "") == kind && e.value("task", "") == task)
      return n;
  }
  return -1;
}

}  // namespace

TEST_CASE("A served run takes a task over HTTP, learns it, predicts with it and shuts down",
          "[app][gateway]") {
  TempDir d;
  const std::string dir = d.file("run");
  const ServedRun s =
      serve_in_background({"serve", kSmoke, "--out", dir, "--port", "0"}, d.file("serve.log"));
  const CurlClient c(s.base(), s.token);
  const Reply status = c.get("/status");
  REQUIRE(status.status == 200);
  CHECK(status.json().contains("phase"));

  // Writes need the token; the run takes them once its directory holds its scenario.
  CHECK(c.post("/tasks", kExtraJson, false).status == 401);
  const Reply added = post_when_accepting(c, kExtraJson);
  INFO(added.body);
  REQUIRE(added.status == 202);
  CHECK(added.json().at("state") == "queued");
  CHECK(slurp(dir + "/token").find(s.token) == 0);

  // Every error status, each with its reason.
  CHECK(c.post("/tasks", kExtraJson).status == 409);
  CHECK(c.post("/tasks", "{not json").status == 400);
  const Reply bad = c.post("/tasks", R"({"name": "x", "dataset": "shapes-b", "classes": [0, 9]})");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Contains("tasks[0].classes"));
  CHECK_THAT(c.post("/tasks", R"({"name": "y", "dataset": "nowhere"})").body,
             Contains("tasks[0].dataset"));
  CHECK(c.post("/tasks", std::string(17 << 20, ' ')).status == 413);
  CHECK(c.get("/tasks/nothing").status == 404);
  CHECK(c.get("/nowhere").status == 404);
  CHECK(c.call("PUT", "/tasks", "", {}).status == 405);

  const Json row = wait_committed(c, "b-extra", 300.0);
  // The served run is held between its sessions too: another process may not write it.
  CHECK(run_to_exit({"resume", dir}, d.file("resume.log")) == 1);
  CHECK_THAT(slurp(d.file("resume.log")), Contains("in use by another evostream process"));
  CHECK(row.at("accuracy").get<double>() > 0.0);
  CHECK_FALSE(row.at("path").get<std::string>().empty());
  CHECK(c.get("/tasks").json().size() == 4);

  // Two 12×12 images as JSON (flat and as rows), then three as IDX bytes.
  Json images = Json::array();
  images.push_back(std::vector<int>(144, 7));
  images.push_back(std::vector<std::vector<int>>(12, std::vector<int>(12, 200)));
  const Reply predicted = c.post("/tasks/b-extra/predict", Json{{"images", images}}.dump());
  INFO(predicted.body);
  REQUIRE(predicted.status == 200);
  CHECK(predicted.json().at("predictions").size() == 2);
  const auto idx = idx_image_bytes(3, 12, 12, 5);
  const Reply from_idx = c.post("/tasks/b-extra/predict", std::string(idx.begin(), idx.end()), true,
                                "application/octet-stream");
  INFO(from_idx.body);
  REQUIRE(from_idx.status == 200);
  CHECK(from_idx.json().at("predictions").size() == 3);
  CHECK(c.post("/tasks/b-extra/predict", "plain text", true, "text/plain").status == 400);
  CHECK(c.post("/tasks/b-extra/predict", R"({"images": [[1, 2, 3]]})").status == 400);
  CHECK(c.post("/tasks/nothing/predict", R"({"images": []})").status == 404);

  // The dashboard, and the run's events as server-sent events (curl stops reading after 3 s).
  const Reply page = c.get("/");
  CHECK(page.status == 200);
  CHECK_THAT(page.body, Contains("new EventSource(\"/events\")"));
  const std::string stream_cmd =
      "curl -s -N --max-time 3 " + s.base() + "/events > " + d.file("events.txt") + " 2>/dev/null";
  std::system(stream_cmd.c_str());
  const std::string events = slurp(d.file("events.txt"));
  CHECK_THAT(events, Contains("id: 1\ndata: {"));
  CHECK_THAT(events, Contains("\"event\":\"task_added\",\"task\":\"b-extra\""));
  CHECK_THAT(events, Contains("\"event\":\"task_committed\",\"time\""));
  const std::string later_cmd = "curl -s -N --max-time 2 -H 'Last-Event-ID: 1000000' " + s.base() +
                                "/events > " + d.file("later.txt") + " 2>/dev/null";
  std::system(later_cmd.c_str());
  CHECK(slurp(d.file("later.txt")).find("data:") == std::string::npos);
  CHECK(c.call("GET", "/events", "", {"-H", "Last-Event-ID: soon"}).status == 400);
  const Json status_now = c.get("/status").json();
  CHECK(status_now.at("params_added").get<int64_t>() > 0);
  CHECK(status_now.at("trainer_busy_share").get<double>() > 0.0);
  CHECK_THAT(status_now.at("datasets").dump(), Contains("shapes-b"));

  const std::string metrics = c.get("/metrics").body;
  CHECK_THAT(metrics, Contains("evostream_tasks{state=\"committed\"} 4"));
  CHECK_THAT(metrics, Contains("route=\"POST /tasks\",code=\"409\"} 1"));

  CHECK(c.post("/shutdown", "").status == 202);
  CHECK(wait_for(s.pid, 60.0) == 0);
  CHECK(inspect_hash(dir, d.file("hash")) == reference_hash());
}

TEST_CASE("A task answered 202 survives a SIGKILL: resume learns it in its arrival order",
          "[app][gateway][crash]") {
  TempDir d;
  const std::string dir = d.file("run");
  const ServedRun s = serve_learned_smoke(d, dir);
  const CurlClient c(s.base(), s.token);
  const Reply added = c.post("/tasks", kExtraJson);
  INFO(added.body);
  REQUIRE(added.status == 202);
  kill(s.pid, SIGKILL);
  wait_for(s.pid);
  // The kill may come after the task was learned: then the run is complete.
  const int status = run_to_exit({"resume", dir, "--quiet"}, d.file("log"));
  INFO(slurp(d.file("log")));
  CHECK((status == 0 || slurp(d.file("log")).find("the run is complete") != std::string::npos));
  CHECK(inspect_hash(dir, d.file("hash")) == reference_hash());
  // `replay` learns the grown stream again, the posted task in its arrival order.
  CHECK(run_to_exit({"replay", dir}, d.file("replay.log")) == 0);
  CHECK_THAT(slurp(d.file("replay.log")), Contains("replay matches"));
}

TEST_CASE("run --serve starts a new run and serves it until it is shut down", "[app][gateway]") {
  TempDir d;
  const std::string dir = d.file("run");
  const ServedRun s =
      serve_in_background({"run", kSmoke, "--out", dir, "--serve", "0"}, d.file("serve.log"));
  const CurlClient c(s.base(), s.token);
  CHECK_THAT(slurp(d.file("serve.log")), Contains("/#token=" + s.token));
  for (int i = 0; i < 3000 && c.get("/status").json().at("phase") != "waiting"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const Json status = c.get("/status").json();
  CHECK(status.at("phase") == "waiting");
  CHECK(status.at("committed") == 3);
  CHECK(c.post("/shutdown", "").status == 202);
  CHECK(wait_for(s.pid, 60.0) == 0);
  CHECK_FALSE(inspect_hash(dir, d.file("hash")).empty());
}

TEST_CASE("A task posted while the stream learns begins beside the tasks still learning",
          "[app][gateway][growth]") {
  // Two tasks at once; the last scenario task arrives 4 s into the stream, so the task posted
  // as soon as the run takes writes joins the stream before that task is learned.
  TempDir d;
  const std::string dir = d.file("run");
  const std::vector<std::string> sets = {"--set", "run.concurrent_tasks=2", "--set",
                                         "tasks[2].delay=4"};
  std::vector<std::string> args = {"serve", kSmoke, "--out", dir, "--port", "0"};
  args.insert(args.end(), sets.begin(), sets.end());
  const ServedRun s = serve_in_background(args, d.file("serve.log"));
  const CurlClient c(s.base(), s.token);
  const Reply added = post_when_accepting(c, kExtraJson);
  INFO(added.body);
  REQUIRE(added.status == 202);
  wait_committed(c, "b-extra", 300.0);
  CHECK(c.post("/shutdown", "").status == 202);
  CHECK(wait_for(s.pid, 60.0) == 0);

  const std::string events = dir + "/events.jsonl";
  const int64_t joined = event_position(events, "task_started", "b-extra");
  const int64_t learned = event_position(events, "task_committed", "b-rotated");
  INFO(slurp(events));
  REQUIRE(joined >= 0);
  CHECK(joined < learned);
  CHECK(event_position(events, "stream_grown", "") >= 0);
  CHECK_THAT(slurp(d.file("serve.log")), Contains("serve stopped by POST /shutdown"));

  // The same state as the whole stream learned as one run.
  write_text(d.file("all.toml"), slurp(kSmoke) + kExtraToml);
  std::vector<std::string> whole = {"run",           d.file("all.toml"), "--out",
                                    d.file("whole"), "--quiet",          "--fast"};
  whole.insert(whole.end(), sets.begin(), sets.end());
  REQUIRE(run_to_exit(whole, d.file("whole.log")) == 0);
  CHECK(inspect_hash(dir, d.file("hash")) == inspect_hash(d.file("whole"), d.file("hash2")));
}

TEST_CASE("A posted task whose dataset cannot be loaded is reported and the run stays up",
          "[app][gateway][growth]") {
  TempDir d;
  const std::string dir = d.file("run");
  const ServedRun s = serve_learned_smoke(d, dir);
  const CurlClient c(s.base(), s.token);
  const Reply added = c.post(
      "/tasks",
      R"({"name": "gone", "dataset": "gone", "datasets": {"gone": {"kind": "idx", "path": ")" +
          d.file("nothing") + R"("}}})");
  INFO(added.body);
  REQUIRE(added.status == 202);
  Json status;
  for (int i = 0; i < 600; ++i) {
    status = c.get("/status").json();
    if (status.contains("error"))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(status.dump());
  REQUIRE(status.contains("error"));
  CHECK_THAT(status.at("error").get<std::string>(),
             Contains("task \"gone\" cannot join the stream") &&
                 Contains("expected a directory of IDX files"));
  CHECK(c.get("/tasks/gone").json().at("state") == "queued");
  CHECK(c.get("/tasks/b-all").json().at("state") == "committed");
  CHECK(c.post("/shutdown", "").status == 202);
  CHECK(wait_for(s.pid, 60.0) == 0);
}

TEST_CASE("serve refuses remote trainers and simulated streams", "[app][gateway]") {
  TempDir d;
  CHECK(run_to_exit({"run", kSmoke, "--out", d.file("run"), "--serve", "0", "--listen", "0"},
                    d.file("listen.log")) == 1);
  CHECK_THAT(slurp(d.file("listen.log")), Contains("remote trainers hold the stream"));
  const std::string simulated = std::string(EVOSTREAM_SOURCE_DIR) + "/configs/simulated.toml";
  CHECK(run_to_exit({"serve", simulated, "--out", d.file("sim"), "--port", "0"},
                    d.file("sim.log")) == 1);
  CHECK_THAT(slurp(d.file("sim.log")), Contains("cannot be served"));
}
