#include "app/gateway_routes.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>

#include "app/task_model.hpp"
#include "common/config_error.hpp"
#include "common/data_error.hpp"
#include "config/scenario_parser.hpp"
#include "gateway/dashboard_page.hpp"
#include "gateway/task_toml.hpp"
#include "model/run/predictor.hpp"
#include "storage/atomic_file.hpp"
#include "storage/storage_error.hpp"
#include "streams/idx_reader.hpp"

namespace evostream::app {

/// A task's committed path, loaded and bound once for the requests that classify with it.
struct ServedTask {
  explicit ServedTask(TaskModel m)
      : model(std::move(m)),
        predictor(model.store, model.path, model.task, model.scenario.root.architecture),
        names(model.class_names()) {}
  TaskModel model;
  model::Predictor predictor;
  std::vector<std::string> names;
};

namespace {

using gateway::HttpRequest;
using gateway::HttpResponse;
using Json = nlohmann::ordered_json;

// Images in one predict request, at most.
constexpr int64_t kMaxImages = 100000;

HttpResponse json(int status, const Json& body) {
  return {status, "application/json", body.dump() + "\n"};
}

HttpResponse error(int status, const std::string& message) {
  return json(status, Json{{"error", message}});
}

// The path of a target, without its query.
std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

// Whether `given` (an Authorization header) carries `token`, compared in constant time.
bool authorized(const std::string& given, const std::string& token) {
  const std::string expected = "Bearer " + token;
  if (given.size() != expected.size())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

// %XX escapes of a path segment decoded.
std::string decoded(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// One image of a JSON request: a flat array of C × S × S pixels (channel-first), S rows of S
// pixels (one channel), or S rows of S pixels of C channels.
void push_image(const Json& image, size_t index, int64_t channels, streams::ImageSet& set,
                std::vector<uint8_t>& pixels) {
  const std::string where = fmt::format("images[{}]", index);
  auto pixel = [&](const Json& v) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 255)
      throw std::invalid_argument(where + ": expected pixels 0..255, found " + v.dump());
    return static_cast<uint8_t>(v.get<int64_t>());
  };
  if (!image.is_array() || image.empty())
    throw std::invalid_argument(where + ": expected an array of pixels, found " + image.dump());
  pixels.clear();
  int64_t side = 0;
  if (!image[0].is_array()) {
    const auto n = static_cast<int64_t>(image.size());
    side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(n / channels))));
    if (side * side * channels != n) {
      throw std::invalid_argument(fmt::format(
          "{}: expected {} channel(s) of a square image, found {} pixels", where, channels, n));
    }
    for (const auto& v : image)
      pixels.push_back(pixel(v));
  } else {
    side = static_cast<int64_t>(image.size());
    pixels.assign(static_cast<size_t>(channels * side * side), 0);
    for (int64_t y = 0; y < side; ++y) {
      const Json& row = image[static_cast<size_t>(y)];
      if (!row.is_array() || static_cast<int64_t>(row.size()) != side)
        throw std::invalid_argument(
            fmt::format("{}: expected {} rows of {} pixels", where, side, side));
      for (int64_t x = 0; x < side; ++x) {
        const Json& v = row[static_cast<size_t>(x)];
        if (v.is_array()) {
          if (static_cast<int64_t>(v.size()) != channels)
            throw std::invalid_argument(fmt::format(
                "{}: expected {} channel(s) per pixel, found {}", where, channels, v.size()));
          for (int64_t c = 0; c < channels; ++c)
            pixels[static_cast<size_t>((c * side + y) * side + x)] =
                pixel(v[static_cast<size_t>(c)]);
        } else if (channels == 1) {
          pixels[static_cast<size_t>(y * side + x)] = pixel(v);
        } else {
          throw std::invalid_argument(
              fmt::format("{}: expected {} channels per pixel, found one value", where, channels));
        }
      }
    }
  }
  if (set.empty() && set.height() != side)
    set = streams::ImageSet(channels, side, side);
  if (set.height() != side)
    throw std::invalid_argument(
        fmt::format("{}: expected every image {}×{} as the first, found {}×{}", where, set.height(),
                    set.width(), side, side));
  set.push_back(pixels.data(), 0);
}

// The images of a predict request: {"images": [...]} as JSON, else an IDX file's bytes.
streams::ImageSet request_images(const HttpRequest& request, int64_t channels) {
  if (request.content_type.rfind("application/json", 0) == 0) {
    const Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded())
      throw std::invalid_argument("expected JSON, found text that does not parse");
    if (!body.is_object() || !body.contains("images") || !body.at("images").is_array())
      throw std::invalid_argument("expected {\"images\": [image, ...]}");
    const Json& images = body.at("images");
    if (images.empty() || static_cast<int64_t>(images.size()) > kMaxImages)
      throw std::invalid_argument(
          fmt::format("images: expected 1..{} images, found {}", kMaxImages, images.size()));
    streams::ImageSet set;
    std::vector<uint8_t> pixels;
    for (size_t i = 0; i < images.size(); ++i)
      push_image(images[i], i, channels, set, pixels);
    return set;
  }
  // IDX bytes (plain or gzip'd): through the file reader, which checks every field. The
  // temporary file is only read back, never kept: no sync.
  char name[] = "/tmp/evostream-predict-XXXXXX";
  const int fd = ::mkstemp(name);
  if (fd < 0)
    throw std::runtime_error("cannot create a temporary file for the images");
  struct Remove {
    const char* path;
    ~Remove() { ::unlink(path); }
  } remove{name};
  ::close(fd);
  std::ofstream file(name, std::ios::binary | std::ios::trunc);
  file.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
  if (!file.flush())
    throw std::runtime_error("cannot write the images to a temporary file");
  file.close();
  try {
    return streams::IdxReader::read_images(name);
  } catch (const common::DataError& e) {
    std::string what = e.what();
    what.replace(0, std::string(name).size(), "the request body (IDX images)");
    throw std::invalid_argument(what);
  }
}

}  // namespace

GatewayRoutes::GatewayRoutes(std::string run_dir, std::string token,
                             std::function<void()> on_shutdown)
    : run_dir_(std::move(run_dir)),
      token_(std::move(token)),
      on_shutdown_(std::move(on_shutdown)) {}

GatewayRoutes::~GatewayRoutes() = default;

void GatewayRoutes::set_accepting(bool accepting) {
  std::lock_guard<std::mutex> lock(mutex_);
  accepting_ = accepting;
}

void GatewayRoutes::set_bell(std::shared_ptr<ArrivalBell> bell) {
  std::lock_guard<std::mutex> lock(mutex_);
  bell_ = std::move(bell);
}

int64_t GatewayRoutes::wait_for_arrival(int64_t seen, const std::function<bool()>& stop) {
  std::unique_lock<std::mutex> lock(mutex_);
  arrived_.wait(lock, [&] { return arrivals_ > seen || stop(); });
  return arrivals_;
}

void GatewayRoutes::observe(const Json& event) {
  state_.observe(event);
  feed_.publish(event.dump());
}

void GatewayRoutes::replay_history(const std::string& events_jsonl) {
  // Only the lines the feed keeps are parsed; the others are counted (a long run's history is
  // hundreds of thousands of lines).
  std::ifstream in(events_jsonl);
  std::deque<std::string> tail;
  int64_t lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    tail.push_back(std::move(line));
    if (tail.size() > feed_.capacity())
      tail.pop_front();
  }
  feed_.skip(lines - static_cast<int64_t>(tail.size()));
  for (const auto& line : tail) {
    const Json e = Json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.is_object())  // a line cut by a crash is left out
      feed_.publish(e.dump());
  }
}

void GatewayRoutes::wake() {
  std::lock_guard<std::mutex> lock(mutex_);
  arrived_.notify_all();
}

HttpResponse GatewayRoutes::handle(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  std::string route;
  HttpResponse answer;
  try {
    answer = this->route(request, route);
  } catch (const std::exception& e) {
    answer = error(500, e.what());
  }
  state_.request(route.empty() ? request.method + " (other)" : route, answer.status,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return answer;
}

HttpResponse GatewayRoutes::route(const HttpRequest& request, std::string& route) {
  const std::string path = path_of(request.target);
  const std::string& method = request.method;
  const bool post = method == "POST";
  if (method != "GET" && !post)
    return error(405, "expected GET or POST, found " + method);
  if (post && !authorized(request.authorization, token_)) {
    route = "POST (unauthorized)";
    return error(401, "writes need the header `Authorization: Bearer TOKEN` (the token is in " +
                          run_dir_ + "/token)");
  }
  if (path == "/" && !post) {
    route = "GET /";
    return {200, "text/html; charset=utf-8", gateway::dashboard_page()};
  }
  if (path == "/events" && !post) {
    route = "GET /events";
    int64_t after = 0;
    if (!request.last_event_id.empty()) {
      char* end = nullptr;
      after = std::strtoll(request.last_event_id.c_str(), &end, 10);
      if (*end != '\0' || after < 0)
        return error(400, "Last-Event-ID: expected an event id (0, 1, ...), found \"" +
                              request.last_event_id + "\"");
    }
    HttpResponse answer{200, "text/event-stream", ""};
    answer.stream = gateway::EventStream(feed_, after);
    return answer;
  }
  if (path == "/status" && !post) {
    route = "GET /status";
    Json s = state_.status();
    s["run"] = run_dir_;
    return json(200, s);
  }
  if (path == "/metrics" && !post) {
    route = "GET /metrics";
    return {200, "text/plain; version=0.0.4", state_.metrics()};
  }
  if (path == "/tasks") {
    route = method + " /tasks";
    return post ? add_task(request) : json(200, state_.tasks());
  }
  if (path == "/shutdown" && post) {
    route = "POST /shutdown";
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      first = !shut_down_;
      shut_down_ = true;
    }
    if (first && on_shutdown_)
      on_shutdown_();
    return json(202, Json{{"stopping", true}});
  }
  const std::string prefix = "/tasks/";
  if (path.rfind(prefix, 0) == 0) {
    std::string rest = path.substr(prefix.size());
    const std::string suffix = "/predict";
    const bool predicting = post && rest.size() > suffix.size() &&
                            rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (predicting)
      rest = rest.substr(0, rest.size() - suffix.size());
    const std::string name = decoded(rest);
    if (!rest.empty() && rest.find('/') == std::string::npos && (predicting || !post)) {
      route = predicting ? "POST /tasks/{name}/predict" : "GET /tasks/{name}";
      const auto row = state_.task(name);
      if (!row)
        return error(404, fmt::format("no task \"{}\" in the run (GET /tasks lists them)", name));
      if (!predicting)
        return json(200, *row);
      if (row->value("state", "") != "committed")
        return error(
            404, fmt::format("task \"{}\" is {}, not learned yet", name, row->value("state", "")));
      return predict(name, request);
    }
  }
  return error(404, fmt::format("no route {} {} (see docs/gateway.md)", method, path));
}

HttpResponse GatewayRoutes::add_task(const HttpRequest& request) {
  const Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded())
    return error(400, "expected a task as JSON, found text that does not parse");
  std::string toml;
  try {
    toml = gateway::task_toml(nlohmann::json(body));
  } catch (const std::invalid_argument& e) {
    return error(400, e.what());
  }
  const std::string name = body.value("name", "");
  std::lock_guard<std::mutex> lock(mutex_);
  if (!accepting_)
    return error(503, "the run is starting: try again in a moment");
  if (!name.empty() && state_.has(name))
    return error(409, fmt::format("the run already has a task \"{}\"", name));
  const std::string scenario = run_dir_ + "/scenario.toml";
  std::string grown;
  try {
    std::ifstream in(scenario, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    // Relative dataset paths in a request are relative to the run directory.
    grown =
        config::ScenarioParser::extended_text(text.str(), scenario, toml, run_dir_ + "/request");
  } catch (const common::ConfigError& e) {
    return error(400, e.key().empty() ? e.problem() : e.key() + ": " + e.problem());
  }
  storage::write_atomically(scenario, grown.data(), grown.size(), 0644);
  state_.add_task(name);
  feed_.publish(Json{{"event", "task_added"}, {"task", name}}.dump());
  ++arrivals_;
  arrived_.notify_all();
  if (bell_)
    bell_->ring();
  return json(202, Json{{"task", name}, {"state", "queued"}, {"position", state_.tasks().size()}});
}

std::shared_ptr<const ServedTask> GatewayRoutes::served(const std::string& task) {
  const int64_t commits = state_.commits();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = served_.find(task);
    if (it != served_.end() && it->second.first == commits)
      return it->second.second;
  }
  std::ostringstream warnings;
  auto m = std::make_shared<const ServedTask>(TaskModel::load(run_dir_, task, warnings));
  std::lock_guard<std::mutex> lock(mutex_);
  served_[task] = {commits, m};
  return m;
}

HttpResponse GatewayRoutes::predict(const std::string& task, const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  const auto m = served(task);
  streams::ImageSet images;
  std::vector<model::Predictor::Prediction> predictions;
  try {
    images = request_images(request, m->predictor.channels());
    predictions = m->predictor.classify(images);
  } catch (const std::invalid_argument& e) {
    return error(400, e.what());
  }
  const std::vector<std::string>& names = m->names;
  Json rows = Json::array();
  for (const auto& p : predictions) {
    rows.push_back(Json{
        {"label", p.label},
        {"class", p.label < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(p.label)]
                                                               : fmt::format("class {}", p.label)},
        {"probability", p.probability}});
  }
  return json(
      200, Json{{"task", task},
                {"path", m->model.path.name},
                {"images", images.size()},
                {"predictions", rows},
                {"seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}});
}

}  // namespace evostream::app
