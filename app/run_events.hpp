#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "app/progress_view.hpp"
#include "model/train/training_curve.hpp"

namespace evostream::app {

/// A run's events: each is stamped with the seconds since the command started, appended to the
/// run directory's `events.jsonl` (one JSON object per line, flushed) and shown by a
/// `ProgressView`.
///
/// In terminal mode a ticker thread redraws the live lines every second, so elapsed time and
/// ETA move while a candidate trains.
class RunEvents {
 public:
  using Json = nlohmann::ordered_json;

  explicit RunEvents(ProgressView& view);
  ~RunEvents();
  RunEvents(const RunEvents&) = delete;
  RunEvents& operator=(const RunEvents&) = delete;

  /// Starts appending to `path` (emptied first unless `append`). Raises `std::runtime_error`
  /// naming the file when it cannot be opened.
  void open(const std::string& path, bool append);
  /// Stamps `event` with `time` and records and shows it.
  void emit(Json event);
  /// Shows a plain line of text (a `message` event).
  void message(const std::string& text);
  /// Also hands every event, once stamped and recorded, to `listener` (the gateway's state).
  /// Default: none.
  void set_listener(std::function<void(const Json&)> listener) { listener_ = std::move(listener); }
  /// Clears the live lines (before the program prints anything else).
  void close() { view_.close(); }

  ProgressView& view() { return view_; }

  /// `curve` as events carry it: `validations` (`step`, `accuracy`, `loss`) and `losses`
  /// (`step`, `loss`, and `terms` when there are any).
  static Json curve(const model::TrainingCurve& curve);

 private:
  ProgressView& view_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::ofstream log_;
  std::string log_path_;
  std::function<void(const Json&)> listener_;
  std::thread ticker_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
};

}  // namespace evostream::app
