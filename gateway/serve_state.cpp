#include "gateway/serve_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <sstream>

namespace evostream::gateway {

namespace {

// Upper bounds of the latency histogram's buckets, in seconds (then +Inf).
constexpr std::array<double, 10> kLatencyBounds{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                0.05,  0.1,    0.25,  1.0,  5.0};

std::string label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

ServeState::Task* ServeState::find(const std::string& name) {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tasks_[it->second];
}

void ServeState::settle(Task& t) {
  if (t.measured && t.snapshotted && t.state != "committed") {
    t.state = "committed";
    ++commits_;
  }
}

void ServeState::add_task(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index_.count(name))
    return;
  index_[name] = tasks_.size();
  Task t;
  t.name = name;
  tasks_.push_back(std::move(t));
}

void ServeState::set_committed(const Task& task) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Task* t = find(task.name)) {
    *t = task;
    t->state = "committed";
  }
}

void ServeState::set_phase(const std::string& phase) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (phase_ == "learning")
    learning_seconds_ += std::chrono::duration<double>(now - learning_since_).count();
  if (phase == "learning")
    learning_since_ = now;
  phase_ = phase;
}

void ServeState::set_datasets(std::vector<std::string> datasets) {
  std::lock_guard<std::mutex> lock(mutex_);
  datasets_ = std::move(datasets);
}

std::optional<double> ServeState::average() const {
  double sum = 0.0;
  int64_t n = 0;
  for (const auto& t : tasks_) {
    if (t.state == "committed" && t.accuracy) {
      sum += *t.accuracy;
      ++n;
    }
  }
  return n > 0 ? std::optional<double>(sum / static_cast<double>(n)) : std::nullopt;
}

std::optional<double> ServeState::busy_share() const {
  double seconds = learning_seconds_;
  if (phase_ == "learning") {
    seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - learning_since_).count();
  }
  if (candidates_ == 0 || seconds <= 0.0)
    return std::nullopt;
  return std::min(1.0, candidate_seconds_ / (seconds * static_cast<double>(trainers_)));
}

void ServeState::observe(const Json& e) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++events_;
  const std::string kind = e.value("event", "");
  const std::string name = e.value("task", "");
  if (kind == "run_started") {
    trainers_ = std::max<int64_t>(1, e.value("trainers", int64_t{1}));
  } else if (kind == "task_started") {
    if (Task* t = find(name)) {
      t->state = "evolving";
      t->generation = 0;
      t->candidates = 0;
      t->measured = false;
      t->snapshotted = false;
    }
    current_ = name;
  } else if (kind == "candidate") {
    ++candidates_;
    candidate_seconds_ += e.value("seconds", 0.0);
    if (Task* t = find(name)) {
      t->generation = e.value("generation", t->generation);
      ++t->candidates;
    }
  } else if (kind == "task_committed") {
    if (e.contains("accuracies")) {
      for (const auto& [task, accuracy] : e.at("accuracies").items()) {
        if (Task* t = find(task))
          t->accuracy = accuracy.get<double>();
      }
    }
    if (Task* t = find(name)) {
      t->measured = true;
      settle(*t);
    }
    if (current_ == name)
      current_.clear();
  } else if (kind == "snapshot") {
    if (Task* t = find(name)) {
      t->path = e.value("path", "");
      t->components = e.value("components", std::vector<std::string>{});
      t->params_added = e.value("params_added", int64_t{0});
      t->snapshotted = true;
      settle(*t);
    }
  } else if (kind == "interrupted" || kind == "run_finished") {
    current_.clear();
  } else if (kind == "stream_grown") {
    error_.clear();
  } else if (kind == "growth_failed") {
    error_ = e.value("reason", "");
  }
}

void ServeState::request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  if (latency_buckets_.empty())
    latency_buckets_.assign(kLatencyBounds.size(), 0);
  for (size_t b = 0; b < kLatencyBounds.size(); ++b) {
    if (seconds <= kLatencyBounds[b])
      ++latency_buckets_[b];
  }
  ++latency_count_;
  latency_sum_ += seconds;
}

int64_t ServeState::commits() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return commits_;
}

std::map<std::string, int64_t> ServeState::counts() const {
  std::map<std::string, int64_t> by_state{{"queued", 0}, {"evolving", 0}, {"committed", 0}};
  for (const auto& t : tasks_)
    ++by_state[t.state];
  return by_state;
}

bool ServeState::has(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return index_.count(name) > 0;
}

ServeState::Json ServeState::row(const Task& t) {
  Json j{{"name", t.name}, {"state", t.state}};
  if (t.state == "evolving") {
    j["generation"] = t.generation;
    j["candidates"] = t.candidates;
  }
  if (t.state == "committed") {
    j["accuracy"] = t.accuracy ? Json(*t.accuracy) : Json();
    j["path"] = t.path;
    j["components"] = t.components;
    j["params_added"] = t.params_added;
  }
  return j;
}

std::optional<ServeState::Json> ServeState::task(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = index_.find(name);
  if (it == index_.end())
    return std::nullopt;
  return row(tasks_[it->second]);
}

ServeState::Json ServeState::tasks() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Json out = Json::array();
  for (const auto& t : tasks_)
    out.push_back(row(t));
  return out;
}

ServeState::Json ServeState::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::map<std::string, int64_t> by_state = counts();
  Json j{{"phase", phase_},
         {"tasks", tasks_.size()},
         {"queued", by_state.at("queued")},
         {"evolving", by_state.at("evolving")},
         {"committed", by_state.at("committed")},
         {"candidates_trained", candidates_},
         {"average_accuracy", average() ? Json(*average()) : Json()}};
  int64_t params = 0;
  for (const auto& t : tasks_)
    params += t.state == "committed" ? t.params_added : 0;
  j["params_added"] = params;
  const auto share = busy_share();
  j["trainer_busy_share"] = share ? Json(*share) : Json();
  j["datasets"] = datasets_;
  if (!current_.empty())
    j["current_task"] = current_;
  if (!error_.empty())
    j["error"] = error_;
  return j;
}

std::string ServeState::metrics() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::map<std::string, int64_t> by_state = counts();
  std::ostringstream out;
  out << "# HELP evostream_tasks Tasks of the stream by state.\n# TYPE evostream_tasks gauge\n";
  for (const auto& [state, n] : by_state)
    out << fmt::format("evostream_tasks{{state=\"{}\"}} {}\n", state, n);
  out << "# HELP evostream_candidates_trained_total Candidates trained since the gateway "
         "started.\n# TYPE evostream_candidates_trained_total counter\n"
      << fmt::format("evostream_candidates_trained_total {}\n", candidates_)
      << "# HELP evostream_trainer_busy_seconds_total Seconds trainers spent on those "
         "candidates (its rate over the trainer count is their busy share).\n"
         "# TYPE evostream_trainer_busy_seconds_total counter\n"
      << fmt::format("evostream_trainer_busy_seconds_total {:.6f}\n", candidate_seconds_)
      << "# HELP evostream_trainer_busy_share Trainers' busy share while learning, so far.\n"
         "# TYPE evostream_trainer_busy_share gauge\n"
      << fmt::format("evostream_trainer_busy_share {:.6f}\n", busy_share().value_or(0.0))
      << "# HELP evostream_average_accuracy Mean test accuracy over the learned tasks.\n"
         "# TYPE evostream_average_accuracy gauge\n"
      << fmt::format("evostream_average_accuracy {}\n", average().value_or(0.0))
      << "# HELP evostream_events_total Run events since the gateway started.\n"
         "# TYPE evostream_events_total counter\n"
      << fmt::format("evostream_events_total {}\n", events_)
      << "# HELP evostream_http_requests_total Requests answered, by route and status.\n"
         "# TYPE evostream_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << fmt::format("evostream_http_requests_total{{route=\"{}\",code=\"{}\"}} {}\n",
                       label(key.first), key.second, n);
  }
  out << "# HELP evostream_http_request_seconds Time to answer a request.\n"
         "# TYPE evostream_http_request_seconds histogram\n";
  for (size_t b = 0; b < kLatencyBounds.size(); ++b) {
    out << fmt::format("evostream_http_request_seconds_bucket{{le=\"{}\"}} {}\n", kLatencyBounds[b],
                       latency_buckets_.empty() ? 0 : latency_buckets_[b]);
  }
  out << fmt::format("evostream_http_request_seconds_bucket{{le=\"+Inf\"}} {}\n", latency_count_)
      << fmt::format("evostream_http_request_seconds_sum {:.6f}\n", latency_sum_)
      << fmt::format("evostream_http_request_seconds_count {}\n", latency_count_);
  return out.str();
}

}  // namespace evostream::gateway
