#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/curl_client.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;
using Json = nlohmann::json;

namespace {

const std::string kSmoke = std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml";

// A TCP port free on the loopback now (for chromedriver, which takes no port 0).
uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0);
  socklen_t size = sizeof at;
  getsockname(fd, reinterpret_cast<sockaddr*>(&at), &size);
  close(fd);
  return ntohs(at.sin_port);
}

// A headless Chromium session through ChromeDriver's WebDriver protocol (W3C), over curl.
class Browser {
 public:
  Browser(const TempDir& d)
      : port_(free_port()), driver_("http://127.0.0.1:" + std::to_string(port_)) {
    pid_ = spawn("/usr/bin/chromedriver", {"--port=" + std::to_string(port_)},
                 d.file("chromedriver.log"));
    REQUIRE(wait_for_text(d.file("chromedriver.log"), "started successfully", 60.0));
    const Json capabilities{
        {"capabilities",
         {{"alwaysMatch",
           {{"browserName", "chrome"},
            {"goog:loggingPrefs", {{"browser", "ALL"}}},
            {"goog:chromeOptions",
             {{"binary", "/usr/bin/chromium"},
              {"args",
               {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + d.file("profile"), "--window-size=1200,1000"}}}}}}}}};
    const Reply r = driver_.post("/session", capabilities.dump(), false);
    INFO(r.body);
    REQUIRE(r.status == 200);
    session_ = "/session/" + r.json().at("value").at("sessionId").get<std::string>();
  }
  ~Browser() {
    driver_.call("DELETE", session_, "", {});
    kill(pid_, SIGTERM);
    wait_for(pid_, 30.0);
  }

  void open(const std::string& url) { command("/url", {{"url", url}}); }
  // The element `css` selects (the test fails when there is none).
  std::string element(const std::string& css) {
    const Json v = command("/element", {{"using", "css selector"}, {"value", css}});
    return v.begin().value().get<std::string>();
  }
  void type(const std::string& css, const std::string& text) {
    command("/element/" + element(css) + "/value", {{"text", text}});
  }
  void click(const std::string& css) {
    command("/element/" + element(css) + "/click", Json::object());
  }
  // What `script` (a function body) returns in the page.
  Json run(const std::string& script) {
    return command("/execute/sync", {{"script", script}, {"args", Json::array()}});
  }
  // The page's console messages of level SEVERE (script errors, failed loads).
  std::vector<std::string> errors() {
    std::vector<std::string> out;
    const Reply r = driver_.post(session_ + "/se/log", Json{{"type", "browser"}}.dump(), false);
    if (r.status != 200)
      return out;
    for (const auto& m : r.json().at("value")) {
      if (m.value("level", "") == "SEVERE")
        out.push_back(m.value("message", ""));
    }
    return out;
  }

 private:
  Json command(const std::string& path, const Json& body) {
    const Reply r = driver_.post(session_ + path, body.dump(), false);
    INFO(path << " " << body.dump() << " → " << r.body);
    REQUIRE(r.status == 200);
    return r.json().at("value");
  }

  uint16_t port_;
  CurlClient driver_;
  pid_t pid_ = -1;
  std::string session_;
};

}  // namespace

// Debian's chromium and chromium-driver: the test set-up (`make test`, through
// `scripts/install-deps --test`) installs them.
TEST_CASE("The dashboard follows a served run in headless Chromium and adds a task by its form",
          "[app][gateway][chromium]") {
  REQUIRE(std::filesystem::exists("/usr/bin/chromedriver"));
  TempDir d;
  const std::string dir = d.file("run");
  REQUIRE(run_to_exit({"run", kSmoke, "--out", dir, "--quiet"}, d.file("log")) == 0);
  const ServedRun s = serve_in_background({"serve", dir, "--port", "0"}, d.file("serve.log"));
  const CurlClient gateway(s.base(), s.token);
  {
    Browser browser(d);
    // The token comes with the link the command prints.
    browser.open(s.base() + "/#token=" + s.token);
    auto wait_until = [&](const std::string& script, double seconds) {
      const auto t0 = std::chrono::steady_clock::now();
      for (;;) {
        const Json v = browser.run(script);
        if (v.is_boolean() && v.get<bool>())
          return;
        INFO(script << " → " << v.dump());
        REQUIRE(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() <
                seconds);
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    };
    // The run's history, from events.jsonl: three tasks committed, three points on the curve.
    wait_until("return document.getElementById('connection').textContent === 'following /events'",
               60.0);
    wait_until("return document.querySelectorAll('#tasks tr[data-state=committed]').length === 3",
               60.0);
    wait_until("return document.querySelectorAll('#curve circle').length === 3", 60.0);
    CHECK(browser.run("return document.getElementById('phase').textContent").get<std::string>() ==
          "waiting");

    browser.type("#task-name", "b-extra");
    browser.type("#task-dataset", "shapes-b");
    browser.type("#task-fields", R"({"invert": true})");
    browser.click("#add-button");
    wait_until("return document.getElementById('form-answer').textContent.includes('queued')",
               60.0);
    // Learned while the page watches: its row commits, the curve gains a point, candidates show.
    wait_until(
        "const r = document.querySelector('#tasks tr[data-task=\"b-extra\"]');"
        "return r !== null && r.dataset.state === 'committed'",
        300.0);
    wait_until("return document.querySelectorAll('#curve circle').length === 4", 30.0);
    CHECK(browser.run("return document.querySelectorAll('#generations circle').length > 0")
              .get<bool>());
    CHECK(browser.run("return document.getElementById('current-task').textContent")
              .get<std::string>() == "b-extra");
    // A bad task is refused with the parser's reason, shown on the page.
    browser.run("document.getElementById('task-name').value = 'b-extra'; return true");
    browser.click("#add-button");
    wait_until("return document.getElementById('form-answer').textContent.startsWith('409')", 30.0);
    const auto errors = browser.errors();
    INFO((errors.empty() ? std::string() : errors.front()));
    // The refused POST is logged as a failed load; nothing else may be.
    for (const auto& e : errors)
      CHECK_THAT(e, Contains("409"));
  }
  CHECK(gateway.get("/tasks/b-extra").json().at("state") == "committed");
  CHECK(gateway.post("/shutdown", "").status == 202);
  CHECK(wait_for(s.pid, 60.0) == 0);
}
