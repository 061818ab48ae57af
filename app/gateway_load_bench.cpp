#include "app/gateway_load_bench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "app/progress_view.hpp"
#include "app/run_command.hpp"
#include "app/run_events.hpp"
#include "app/serve_command.hpp"
#include "app/stop_signal.hpp"
#include "app/task_model.hpp"
#include "config/scenario_parser.hpp"
#include "gateway/http_client.hpp"
#include "model/core/median.hpp"
#include "model/run/predictor.hpp"
#include "storage/results_writer.hpp"

namespace evostream::app {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
using Round = GatewayLoadBench::Round;
using model::median;

// Alternated repetitions of the throughput comparison.
constexpr int kThroughputRepetitions = 3;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double rate(const Round& r) {
  return r.seconds > 0 ? static_cast<double>(r.candidates) / r.seconds : 0.0;
}

// Text written from one thread and read from another: what the served command prints.
class SharedText : public std::streambuf {
 public:
  std::string text() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 protected:
  int overflow(int c) override {
    if (c != EOF) {
      std::lock_guard<std::mutex> lock(mutex_);
      text_ += static_cast<char>(c);
    }
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard<std::mutex> lock(mutex_);
    text_.append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

// `count` seeded images of `channels` × `side` × `side` pixels.
streams::ImageSet noise_images(int64_t count, int64_t channels, int64_t side) {
  streams::ImageSet set(channels, side, side);
  std::mt19937 random(7);
  std::vector<uint8_t> pixels(static_cast<size_t>(channels * side * side));
  for (int64_t i = 0; i < count; ++i) {
    for (auto& p : pixels)
      p = static_cast<uint8_t>(random() & 0xff);
    set.push_back(pixels.data(), 0);
  }
  return set;
}

// The images as a predict request's JSON body (flat channel-first arrays).
std::string json_body(const streams::ImageSet& images) {
  Json list = Json::array();
  const int64_t n = images.channels() * images.height() * images.width();
  for (int64_t i = 0; i < images.size(); ++i) {
    const uint8_t* p = images.image(i);
    list.push_back(std::vector<int>(p, p + n));
  }
  return Json{{"images", list}}.dump();
}

// The images as an IDX file's bytes (one channel: rows × cols; more: channels × rows × cols).
std::string idx_body(const streams::ImageSet& images) {
  std::string out;
  auto u32 = [&](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out += static_cast<char>((v >> shift) & 0xff);
  };
  const bool one = images.channels() == 1;
  out += std::string{0, 0, 0x08, static_cast<char>(one ? 3 : 4)};
  u32(static_cast<uint32_t>(images.size()));
  if (!one)
    u32(static_cast<uint32_t>(images.channels()));
  u32(static_cast<uint32_t>(images.height()));
  u32(static_cast<uint32_t>(images.width()));
  const int64_t n = images.channels() * images.height() * images.width();
  for (int64_t i = 0; i < images.size(); ++i)
    out.append(reinterpret_cast<const char*>(images.image(i)), static_cast<size_t>(n));
  return out;
}

// A request to the served run.
gateway::HttpRequest request(const std::string& method, const std::string& target,
                             const std::string& token, std::string body = "",
                             const std::string& type = "application/json") {
  gateway::HttpRequest r;
  r.method = method;
  r.target = target;
  if (!token.empty())
    r.authorization = "Bearer " + token;
  r.content_type = body.empty() ? "" : type;
  r.body = std::move(body);
  return r;
}

// Sends requests at `per_second` until `stop`, recording each latency; counts answers that are
// not 2xx (and failed exchanges) in `errors`.
void load(uint16_t port, const gateway::HttpRequest& r, double per_second,
          const std::atomic<bool>& stop, std::vector<double>& latencies,
          std::atomic<int64_t>& errors) {
  gateway::HttpClient client("127.0.0.1", port);
  const auto start = Clock::now();
  const auto gap = std::chrono::duration<double>(1.0 / per_second);
  for (int64_t k = 0; !stop; ++k) {
    std::this_thread::sleep_until(start +
                                  std::chrono::duration_cast<Clock::duration>(gap * double(k)));
    if (stop)
      break;
    const auto t = Clock::now();
    try {
      const gateway::HttpResponse answer = client.send(r);
      latencies.push_back(since(t));
      if (answer.status / 100 != 2)
        ++errors;
    } catch (const std::exception&) {
      ++errors;
    }
  }
}

// A run directory served in process, on a free loopback port, until `shutdown`.
class ServedCopy {
 public:
  explicit ServedCopy(const std::string& dir) : dir_(dir) {
    ServeOptions options;
    options.target = dir;
    options.port = 0;
    thread_ = std::thread([this, options] {
      std::ostream out(&printed_);
      ProgressView view(ProgressMode::kQuiet, out);
      try {
        status_ = ServeCommand(options).run(view, out, out);
      } catch (const std::exception& e) {
        failure_ = e.what();
        status_ = 1;
      }
      done_ = true;
    });
    try {
      // The port and token, from the line the command prints once it takes writes.
      const std::regex line("http://127\\.0\\.0\\.1:([0-9]+) \\(writes need the token ([0-9a-f]+)");
      std::smatch m;
      const auto t0 = Clock::now();
      std::string text = printed_.text();
      for (; !std::regex_search(text, m, line); text = printed_.text()) {
        if (done_ || since(t0) > 120.0)
          fail("did not start serving");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      port_ = static_cast<uint16_t>(std::stoi(m[1].str()));
      token_ = m[2].str();
      control_ = std::make_unique<gateway::HttpClient>("127.0.0.1", port_);
      wait_for([&] { return get("/status").value("phase", "") == "waiting"; }, 300.0,
               "did not finish resuming");
    } catch (const std::exception&) {
      stop();
      throw;
    }
  }
  ~ServedCopy() { stop(); }

  uint16_t port() const { return port_; }
  const std::string& token() const { return token_; }

  Json get(const std::string& target) {
    const auto answer = control_->send(request("GET", target, ""));
    return Json::parse(answer.body);
  }
  gateway::HttpResponse post(const std::string& target, std::string body,
                             const std::string& type = "application/json") {
    try {
      return control_->send(request("POST", target, token_, std::move(body), type));
    } catch (const std::runtime_error& e) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the command's last words
      fail(std::string("stopped answering: ") + e.what());
    }
  }
  // Polls `ready` until it holds; fails after `seconds`, or when the command ended.
  void wait_for(const std::function<bool()>& ready, double seconds, const std::string& what) {
    const auto t0 = Clock::now();
    for (;;) {
      std::string failure;
      try {
        if (ready())
          return;
      } catch (const std::exception& e) {
        failure = e.what();
      }
      if (done_ || since(t0) > seconds)
        fail(what + (failure.empty() ? "" : " (" + failure + ")"));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  void shutdown() {
    post("/shutdown", "");
    thread_.join();
    if (status_ != 0)
      fail("ended with status " + std::to_string(status_));
  }
  // Stops the server as Ctrl-C would, if it still runs.
  void stop() {
    if (!thread_.joinable())
      return;
    while (!done_) {
      StopSignal::raise_active();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    thread_.join();
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(fmt::format(
        "bench gateway: serving {} {}{}{}{}", dir_, what, failure_.empty() ? "" : ": " + failure_,
        done_ ? fmt::format(" (the command ended with status {})", status_)
              : std::string(" (the command still runs)"),
        printed_.text().empty() ? "" : "\n" + printed_.text()));
  }

  std::string dir_;
  SharedText printed_;
  uint16_t port_ = 0;
  std::string token_;
  std::unique_ptr<gateway::HttpClient> control_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  int status_ = 0;
  std::string failure_;
};

// The visit of task `name` in a run's events.jsonl (its last session's): seconds from
// `task_started` to `task_committed`, and the candidates between.
void measure_visit(const std::string& events_jsonl, const std::string& name, Round& round) {
  std::ifstream in(events_jsonl);
  double started = -1.0;
  int64_t candidates = 0;
  for (std::string line; std::getline(in, line);) {
    const Json e = Json::parse(line, nullptr, false);
    if (e.is_discarded() || e.value("task", "") != name)
      continue;
    const std::string kind = e.value("event", "");
    if (kind == "task_started") {
      started = e.value("time", 0.0);
      candidates = 0;
    } else if (kind == "candidate") {
      ++candidates;
    } else if (kind == "task_committed" && started >= 0.0) {
      round.seconds = e.value("time", 0.0) - started;
      round.candidates = candidates;
    }
  }
  if (round.candidates == 0)
    throw std::runtime_error(events_jsonl + ": no committed visit of task " + name);
}

}  // namespace

double GatewayLoadBench::quantile(std::vector<double> values, double q) {
  if (values.empty())
    return 0.0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::min(values.size(), std::max<size_t>(rank, 1)) - 1];
}

std::string GatewayLoadBench::csv(const std::vector<Round>& rounds) {
  std::string out =
      "round,loaded,seconds,candidates,candidates_per_second,status_requests,status_p50_ms,"
      "status_p99_ms,predict_requests,predict_p50_ms,predict_p99_ms,errors\n";
  for (size_t i = 0; i < rounds.size(); ++i) {
    const Round& r = rounds[i];
    out += fmt::format("{},{},{:.3f},{},{:.3f},{},{:.2f},{:.2f},{},{:.2f},{:.2f},{}\n", i + 1,
                       r.loaded ? 1 : 0, r.seconds, r.candidates, rate(r),
                       r.status_latencies.size(), 1e3 * quantile(r.status_latencies, 0.5),
                       1e3 * quantile(r.status_latencies, 0.99), r.predict_latencies.size(),
                       1e3 * quantile(r.predict_latencies, 0.5),
                       1e3 * quantile(r.predict_latencies, 0.99), r.errors);
  }
  return out;
}

int GatewayLoadBench::run(std::ostream& out) const {
  const GatewayLoadOptions& o = options_;
  if (o.rounds < 1 || o.images < 1 || o.throughput_requests < 1 || !(o.status_rate > 0) ||
      !(o.predict_rate > 0)) {
    throw std::invalid_argument(
        "bench gateway: expected rounds, images and throughput requests of at least 1 and "
        "positive rates");
  }
  const config::Scenario s = config::ScenarioParser::parse_file(o.scenario);
  const config::TaskSpec& first = s.tasks.front();
  const std::string served_task = s.tasks.back().name;
  const std::string base = o.out + "/learned";
  out << fmt::format("bench gateway: learning {} into {}\n", o.scenario, base) << std::flush;
  {
    RunOptions run;
    run.scenario = o.scenario;
    run.out = base;
    run.force = true;
    run.fast = true;
    std::ostringstream quiet;
    ProgressView view(ProgressMode::kQuiet, quiet);
    RunEvents events(view);
    if (RunCommand(run).run(events) != 0)
      throw std::runtime_error("bench gateway: learning " + o.scenario + " failed");
  }
  // The predict requests' images: noise of the served task's input shape.
  std::ostringstream warnings;
  const TaskModel model = TaskModel::load(base, served_task, warnings);
  const model::Predictor predictor(model.store, model.path, model.task,
                                   model.scenario.root.architecture);
  const streams::ImageSet images =
      noise_images(o.images, predictor.channels(), model.scenario.root.architecture.image_size);
  const std::string predict_json = json_body(images);
  const std::string predict_target = "/tasks/" + served_task + "/predict";

  std::vector<Round> rounds;
  for (int64_t i = 0; i < 2 * o.rounds; ++i) {
    Round round;
    round.loaded = i % 2 == 1;
    const std::string dir = o.out + "/round-" + std::to_string(i + 1);
    fs::remove_all(dir);
    fs::copy(base, dir, fs::copy_options::recursive);
    ServedCopy served(dir);
    const std::string probe = "load-probe";
    Json task{{"name", probe}, {"dataset", first.dataset}};
    if (!first.classes.empty())
      task["classes"] = first.classes;
    std::atomic<bool> stop{false};
    std::atomic<int64_t> errors{0};
    std::vector<std::thread> clients;
    if (round.loaded) {
      clients.emplace_back(load, served.port(), request("GET", "/status", ""), o.status_rate,
                           std::cref(stop), std::ref(round.status_latencies), std::ref(errors));
      clients.emplace_back(
          load, served.port(), request("POST", predict_target, served.token(), predict_json),
          o.predict_rate, std::cref(stop), std::ref(round.predict_latencies), std::ref(errors));
    }
    const auto added = served.post("/tasks", task.dump());
    if (added.status != 202)
      throw std::runtime_error("bench gateway: POST /tasks answered " +
                               std::to_string(added.status) + ": " + added.body);
    served.wait_for([&] { return served.get("/tasks/" + probe).value("state", "") == "committed"; },
                    3600.0, "did not learn the added task");
    stop = true;
    for (auto& c : clients)
      c.join();
    round.errors = errors;
    served.shutdown();
    measure_visit(dir + "/events.jsonl", probe, round);
    out << fmt::format("round {}/{} ({}): {} candidates in {:.2f} s, {:.3f}/s{}\n", i + 1,
                       2 * o.rounds, round.loaded ? "with load" : "without load", round.candidates,
                       round.seconds, rate(round),
                       round.loaded ? fmt::format(", {} status and {} predict requests, {} errors",
                                                  round.status_latencies.size(),
                                                  round.predict_latencies.size(), round.errors)
                                    : "")
        << std::flush;
    rounds.push_back(std::move(round));
  }

  // Predict throughput with nothing training: HTTP (JSON, IDX) against the predictor in
  // process, in alternated repetitions (medians).
  const std::string dir = o.out + "/round-1";
  ServedCopy served(dir);
  const bool idx_fits = images.channels() == 1;  // IDX image files have one channel
  const std::string idx = idx_fits ? idx_body(images) : "";
  int64_t errors = 0;
  const double per_repetition = static_cast<double>(o.throughput_requests * o.images);
  auto http_rate = [&](const std::string& body, const std::string& type) {
    const auto t0 = Clock::now();
    for (int64_t k = 0; k < o.throughput_requests; ++k)
      errors += served.post(predict_target, body, type).status == 200 ? 0 : 1;
    return per_repetition / since(t0);
  };
  std::vector<double> json_rates, idx_rates, local_rates;
  for (int rep = 0; rep < kThroughputRepetitions; ++rep) {
    json_rates.push_back(http_rate(predict_json, "application/json"));
    if (idx_fits)
      idx_rates.push_back(http_rate(idx, "application/octet-stream"));
    const auto t0 = Clock::now();
    for (int64_t k = 0; k < o.throughput_requests; ++k)
      predictor.classify(images);
    local_rates.push_back(per_repetition / since(t0));
  }
  served.shutdown();
  const double json_rate = median(json_rates);
  const double idx_rate = median(idx_rates);
  const double local_rate = median(local_rates);

  storage::ResultsWriter::write_text(o.out + "/gateway-load.csv", csv(rounds));
  std::vector<double> quiet_rates, loaded_rates, status, predict;
  int64_t load_errors = errors;
  for (const auto& r : rounds) {
    (r.loaded ? loaded_rates : quiet_rates).push_back(rate(r));
    status.insert(status.end(), r.status_latencies.begin(), r.status_latencies.end());
    predict.insert(predict.end(), r.predict_latencies.begin(), r.predict_latencies.end());
    load_errors += r.errors;
  }
  const double quiet_rate = median(quiet_rates);
  const double loaded_rate = median(loaded_rates);
  out << fmt::format(
      "\ncandidates per second (median of {} rounds each): {:.3f} without load, {:.3f} with "
      "load: {:.3f}× ({:+.1f}%)\n",
      o.rounds, quiet_rate, loaded_rate, quiet_rate > 0 ? loaded_rate / quiet_rate : 0.0,
      quiet_rate > 0 ? 100.0 * (loaded_rate / quiet_rate - 1.0) : 0.0);
  out << fmt::format("GET /status at {}/s: {} requests, p50 {:.2f} ms, p99 {:.2f} ms\n",
                     o.status_rate, status.size(), 1e3 * quantile(status, 0.5),
                     1e3 * quantile(status, 0.99));
  out << fmt::format("POST {} ({} images) at {}/s: {} requests, p50 {:.2f} ms, p99 {:.2f} ms\n",
                     predict_target, o.images, o.predict_rate, predict.size(),
                     1e3 * quantile(predict, 0.5), 1e3 * quantile(predict, 0.99));
  out << fmt::format(
      "predict images per second, nothing training (median of {} × {} requests of {}): HTTP "
      "JSON {:.0f} ({:.2f}× in process), HTTP IDX {}, in process {:.0f}\n",
      kThroughputRepetitions, o.throughput_requests, o.images, json_rate,
      local_rate > 0 ? json_rate / local_rate : 0.0,
      idx_fits ? fmt::format("{:.0f} ({:.2f}× in process)", idx_rate,
                             local_rate > 0 ? idx_rate / local_rate : 0.0)
               : std::string("n/a (images of several channels)"),
      local_rate);
  out << fmt::format("errors: {}\nwrote {}/gateway-load.csv\n", load_errors, o.out);
  return load_errors == 0 ? 0 : 1;
}

}  // namespace evostream::app
