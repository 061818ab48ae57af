#include "app/run_events.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace evostream::app {

RunEvents::RunEvents(ProgressView& view) : view_(view), start_(std::chrono::steady_clock::now()) {
  if (view_.mode() == ProgressMode::kTerminal) {
    ticker_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stop_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
        lock.unlock();
        view_.tick();
        lock.lock();
      }
    });
  }
}

RunEvents::~RunEvents() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (ticker_.joinable())
    ticker_.join();
  view_.close();
}

void RunEvents::open(const std::string& path, bool append) {
  std::lock_guard<std::mutex> lock(mutex_);
  log_.close();
  log_.clear();
  log_.open(path, append ? std::ios::app : std::ios::trunc);
  if (!log_)
    throw std::runtime_error(path + ": cannot be opened for writing");
  log_path_ = path;
}

void RunEvents::emit(Json event) {
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  Json stamped{{"event", event.value("event", "message")}, {"time", std::round(t * 1e6) / 1e6}};
  for (auto it = event.begin(); it != event.end(); ++it) {
    if (it.key() != "event")
      stamped[it.key()] = it.value();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (log_.is_open()) {
      log_ << stamped.dump() << "\n";
      log_.flush();
      if (!log_)
        throw std::runtime_error(log_path_ + ": cannot be written: " + std::strerror(errno));
    }
    if (listener_)
      listener_(stamped);
    // Under the lock too: events from several threads reach the screen in the file's order.
    view_.show(stamped);
  }
}

void RunEvents::message(const std::string& text) {
  emit(Json{{"event", "message"}, {"text", text}});
}

RunEvents::Json RunEvents::curve(const model::TrainingCurve& curve) {
  Json validations = Json::array();
  for (const auto& v : curve.validations)
    validations.push_back({{"step", v.step}, {"accuracy", v.accuracy}, {"loss", v.loss}});
  Json losses = Json::array();
  for (const auto& l : curve.losses) {
    Json point{{"step", l.step}, {"loss", l.loss}};
    if (!l.terms.empty())
      point["terms"] = l.terms;
    losses.push_back(std::move(point));
  }
  return Json{{"validations", std::move(validations)}, {"losses", std::move(losses)}};
}

}  // namespace evostream::app
