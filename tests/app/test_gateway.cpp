#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

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

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// An HTTP exchange through curl: the status and the body.
struct Reply {
  int status = 0;
  std::string body;
  Json json() const { return Json::parse(body); }
};

class Client {
 public:
  Client(const TempDir& d, uint16_t port, std::string token)
      : d_(d), base_("http://127.0.0.1:" + std::to_string(port)), token_(std::move(token)) {}

  Reply get(const std::string& path) const { return call("GET", path, {}); }
  Reply post(const std::string& path, const std::string& body, bool token = true,
             const std::string& type = "application/json") const {
    write_text(d_.file("request"), body);
    std::vector<std::string> args{"--data-binary", "@" + d_.file("request"), "-H",
                                  "Content-Type: " + type};
    if (token) {
      args.push_back("-H");
      args.push_back("Authorization: Bearer " + token_);
    }
    return call("POST", path, args);
  }

 private:
  Reply call(const std::string& method, const std::string& path,
             const std::vector<std::string>& args) const {
    std::string cmd = "curl -s -S -X " + method + " -o " + quoted(d_.file("reply")) +
                      " -w '%{http_code}' --max-time 60";
    for (const auto& a : args)
      cmd += " " + quoted(a);
    cmd += " " + quoted(base_ + path) + " > " + quoted(d_.file("code")) + " 2>&1";
    const int rc = std::system(cmd.c_str());
    const std::string code = slurp(d_.file("code"));
    INFO(cmd << "\n" << code);
    // A server that answers before the whole body is sent (413) may make curl fail its send,
    // with the status still read.
    REQUIRE((rc == 0 || code.rfind("4", 0) == 0));
    return {std::stoi(code.substr(0, 3)), slurp(d_.file("reply"))};
  }

  const TempDir& d_;
  std::string base_;
  std::string token_;
};

// Starts `evostream serve ARGS... --port 0` and reads the port and token it prints.
struct Served {
  pid_t pid = -1;
  uint16_t port = 0;
  std::string token;
};

Served serve(const TempDir& d, std::vector<std::string> args) {
  args.insert(args.begin(), "serve");
  args.insert(args.end(), {"--port", "0", "--quiet"});
  Served s;
  s.pid = spawn(EVOSTREAM_BINARY, args, d.file("serve.log"));
  REQUIRE(wait_for_text(d.file("serve.log"), "writes need the token", 60.0));
  std::smatch m;
  const std::string log = slurp(d.file("serve.log"));
  REQUIRE(std::regex_search(log, m,
                            std::regex("http://127\\.0\\.0\\.1:([0-9]+) \\(writes need "
                                       "the token ([0-9a-f]+)")));
  s.port = static_cast<uint16_t>(std::stoi(m[1].str()));
  s.token = m[2].str();
  return s;
}

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
Json wait_committed(const Client& c, const std::string& name, double seconds) {
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

}  // namespace

TEST_CASE("A served run takes a task over HTTP, learns it, predicts with it and shuts down",
          "[app][gateway]") {
  TempDir d;
  const std::string dir = d.file("run");
  const Served s = serve(d, {kSmoke, "--out", dir});
  const Client c(d, s.port, s.token);
  const Reply status = c.get("/status");
  REQUIRE(status.status == 200);
  CHECK(status.json().contains("phase"));

  // Writes need the token; the run takes them once its directory holds its scenario.
  CHECK(c.post("/tasks", kExtraJson, false).status == 401);
  Reply added;
  for (int i = 0; i < 600; ++i) {
    added = c.post("/tasks", kExtraJson);
    if (added.status != 503)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
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

  const Json row = wait_committed(c, "b-extra", 300.0);
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
  REQUIRE(run_to_exit({"run", kSmoke, "--out", dir, "--quiet"}, d.file("log")) == 0);
  const Served s = serve(d, {dir});
  const Client c(d, s.port, s.token);
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
}
