#include "app/progress_view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace evostream::app {

namespace {

using Json = ProgressView::Json;

std::string percent(const Json& v) {
  return v.is_number() ? fmt::format("{:.2f}", 100.0 * v.get<double>() + 0.0) : "-";
}

// Cuts `line` to `columns` characters (UTF-8 aware), so a live line never wraps.
std::string cut(const std::string& line, int columns) {
  int width = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80)
      continue;  // a continuation byte
    if (++width > columns)
      return line.substr(0, i);
  }
  return line;
}

}  // namespace

ProgressView::ProgressView(ProgressMode mode, std::ostream& out, int columns, std::string command,
                           bool verbose)
    : mode_(mode),
      out_(out),
      columns_(std::max(20, columns)),
      command_(std::move(command)),
      verbose_(verbose) {}

ProgressMode ProgressView::choose(bool quiet, bool json, bool terminal) {
  if (json)
    return ProgressMode::kJson;
  if (quiet)
    return ProgressMode::kQuiet;
  return terminal ? ProgressMode::kTerminal : ProgressMode::kLog;
}

std::string ProgressView::duration(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (s < 60)
    return fmt::format("{} s", s);
  if (s < 3600)
    return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
}

std::string ProgressView::bar(double fraction, int width) {
  const int filled =
      static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(width)));
  return "[" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(width - filled), '.') + "]";
}

std::string ProgressView::live_line(const Live& live, Clock::time_point now,
                                    double typical_seconds) {
  const double elapsed = std::chrono::duration<double>(now - live.started).count();
  std::string eta = "-";
  if (live.done >= live.total)
    eta = "committing";
  else if (live.done > 0)
    eta = duration(elapsed / static_cast<double>(live.done) *
                   static_cast<double>(live.total - live.done));
  else if (typical_seconds > 0.0)
    eta = "~" + duration(std::max(0.0, typical_seconds - elapsed));
  // Within 80 columns for up to 99 candidates and an hour's durations: the name is cut beyond
  // 14 characters, and the task's place in the stream is on the stream's line.
  const std::string name = live.task.size() > 14 ? live.task.substr(0, 13) + "~" : live.task;
  return fmt::format(
      "  {} {} {}/{} gen {}/{} best {}  {} elapsed, ETA {}", name,
      bar(static_cast<double>(live.done) / static_cast<double>(std::max<int64_t>(1, live.total)),
          8),
      live.done, live.total, std::min(live.generation + 1, live.generations), live.generations,
      live.best_quality < 0.0 ? std::string("-")
                              : fmt::format("{:.1f}%", 100.0 * live.best_quality),
      duration(elapsed), eta);
}

std::string ProgressView::stream_line(int64_t done, int64_t total, int64_t done_at_start,
                                      double elapsed, double typical_seconds) {
  std::string eta = "-";
  const int64_t since = done - done_at_start;
  if (done >= total)
    eta = "finishing";
  else if (since > 0)
    eta = duration(elapsed / static_cast<double>(since) * static_cast<double>(total - done));
  else if (typical_seconds > 0.0)
    eta = "~" + duration(typical_seconds * static_cast<double>(total - done));
  return fmt::format(
      "stream {} {}/{} task visits  {} elapsed, ETA {}",
      bar(static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, total)), 20), done,
      total, duration(elapsed), eta);
}

void ProgressView::show(const Json& event) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string kind = event.value("event", "");
  if (kind == "root_step" && root_first_step_ < 0) {
    root_first_step_ = event.value("step", 0);
    root_first_time_ = event.value("time", 0.0);
  } else if (kind == "run_started") {
    events_done_ = events_at_start_ = event.value("events_done", 0);
    events_total_ = event.value("events_total", 0);
    stream_started_ = Clock::now();
    streaming_ = true;
  } else if (kind == "task_committed") {
    ++events_done_;
  } else if (kind == "run_finished" || kind == "interrupted") {
    streaming_ = false;
  } else if (kind == "stream_grown") {
    events_total_ = event.value("events_total", events_total_);
    streaming_ = true;
  }
  switch (mode_) {
    case ProgressMode::kJson:
      out_ << event.dump() << "\n";
      out_.flush();
      return;
    case ProgressMode::kLog:
      show_log(event);
      return;
    case ProgressMode::kQuiet:
      show_quiet(event);
      return;
    case ProgressMode::kTerminal:
      show_terminal(event);
      return;
  }
}

void ProgressView::tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (mode_ != ProgressMode::kTerminal || (live_.empty() && transient_.empty() && !streaming_))
    return;
  erase_live();
  draw_live();
}

void ProgressView::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (mode_ == ProgressMode::kTerminal)
    erase_live();
}

std::string ProgressView::text_of(const Json& e) const {
  const std::string kind = e.value("event", "");
  if (kind == "message")
    return e.value("text", "");
  if (kind == "root_step") {
    const int64_t step = e.value("step", 0);
    const int64_t steps = std::max<int64_t>(1, e.value("steps", 1));
    const double time = e.value("time", 0.0);
    std::string eta = "-";
    if (root_first_step_ >= 0 && step > root_first_step_) {
      eta = duration((time - root_first_time_) / static_cast<double>(step - root_first_step_) *
                     static_cast<double>(steps - step));
    }
    return fmt::format("  root {} step {}/{}  validation {}%  {} elapsed, ETA {}",
                       bar(static_cast<double>(step) / static_cast<double>(steps)), step, steps,
                       percent(e["validation_accuracy"]), duration(time), eta);
  }
  if (kind == "run_started") {
    std::string text;
    if (e.value("simulated", false))
      text =
          "SIMULATED run: candidates train with the cost and quality model of [simulation]; "
          "accuracies are simulated and training seconds virtual";
    if (e.contains("resumed_from")) {
      text += fmt::format("{}resuming {} from snapshot {}: {} of {} task visits done",
                          text.empty() ? "" : "\n", e.value("dir", ""), e.value("resumed_from", 0),
                          e.value("events_done", 0), e.value("events_total", 0));
    }
    return text;
  }
  if (kind == "listening") {
    const std::string credentials = e.value("credentials", "");
    return fmt::format("listening for workers on {}:{}{} (evostream worker --connect {}:{} {})",
                       e.value("bind", ""), e.value("port", 0),
                       credentials.empty() ? ", plain TCP" : ", mutual TLS", e.value("bind", ""),
                       e.value("port", 0),
                       credentials.empty() ? "--insecure" : "--credentials " + credentials);
  }
  if (kind == "trainer_wait")
    return fmt::format(
        "no trainer left (the last worker went away): waiting up to {} s for a "
        "worker to join",
        e.value("seconds", 0));
  if (kind == "waiting")
    return fmt::format("waiting {:.1f} s for {} to arrive", e.value("seconds", 0.0),
                       e.value("task", ""));
  if (kind == "stream_grown") {
    return fmt::format("the stream grows by {} ({} tasks in all)",
                       fmt::join(e.value("added", std::vector<std::string>{}), ", "),
                       e.value("tasks", 0));
  }
  if (kind == "waiting_for_tasks")
    return fmt::format("the stream is learned ({} task visits): waiting for tasks",
                       e.value("events_done", 0));
  if (kind == "growth_failed")
    return fmt::format("error: {}; the tasks after it wait (the next task posted tries again)",
                       e.value("reason", ""));
  if (kind == "task_started") {
    std::string line = fmt::format("task {}/{} {} ({} classes, {} train, {} validation, {} test)",
                                   e.value("index", 0) + 1, e.value("tasks", 0),
                                   e.value("task", ""), e.value("classes", 0), e.value("train", 0),
                                   e.value("validation", 0), e.value("test", 0));
    if (e.value("iterations", 1) > 1)
      line +=
          fmt::format(", iteration {}/{}", e.value("iteration", 0) + 1, e.value("iterations", 1));
    return line;
  }
  if (kind == "candidate") {
    const std::string parent = e.value("parent", "");
    return fmt::format(
        "  {:<28} {:<24} quality {:6.2f}%  score {:.4f}  {:>8} trained  {}  {:.1f} s",
        e.value("name", ""), parent.empty() ? "" : "<- " + parent, 100.0 * e.value("quality", 0.0),
        e.value("score", 0.0), e.value("trained_params", 0),
        e.value("kept", false) ? "kept" : "dropped", e.value("seconds", 0.0));
  }
  if (kind == "task_committed") {
    std::string accs;
    if (e["accuracies"].size() > 8) {
      accs = fmt::format(" of {} tasks", e["accuracies"].size());
    } else {
      for (const auto& [name, acc] : e["accuracies"].items())
        accs += " " + percent(acc);
    }
    return fmt::format("  committed {}: test accuracies{}; average {}%  [{:.0f} s]",
                       e.value("task", ""), accs, percent(e["average_accuracy"]),
                       e.value("time", 0.0));
  }
  if (kind == "requeued")
    return fmt::format("{} job(s) ran again after their trainer died", e.value("jobs", 0));
  if (kind == "interrupted")
    return fmt::format(
        "\ninterrupted after {} of {} task visits; the last snapshot is complete.\n"
        "continue with: {} resume {}",
        e.value("events_done", 0), e.value("events_total", 0), command_, e.value("dir", ""));
  if (kind == "run_finished") {
    std::string text = fmt::format("\n{:<22} {:>8} {:>9} {:>12} {:>10} {:>9}\n", "task", "test %",
                                   "forget", "accounted", "added", "train s");
    // Long streams show their first and last tasks; results.json has them all.
    constexpr size_t kShown = 25;
    const size_t n = e["tasks"].size();
    size_t k = 0;
    for (const auto& t : e["tasks"]) {
      ++k;
      if (n > 2 * kShown && k > kShown && k <= n - kShown) {
        if (k == kShown + 1)
          text += fmt::format("... {} more tasks in results.json ...\n", n - 2 * kShown);
        continue;
      }
      text += fmt::format("{:<22} {:>8} {:>9} {:>12.0f} {:>10} {:>9.1f}\n", t.value("name", ""),
                          percent(t["test_accuracy"]), percent(t["forgetting"]),
                          t.value("accounted_params", 0.0), t.value("params_added", 0),
                          t.value("train_seconds", 0.0));
    }
    const double work = std::max(1e-9, e.value("stream_seconds", 0.0));
    text += "\n" + summary_of(e) + "\n";
    text += fmt::format(
        "this process: {:.1f} s streaming, of which orchestration {:.2f} s ({:.1f}%); snapshots "
        "written alongside in {:.2f} s ({:.0f} kB per task); {} trainer(s)\n",
        e.value("stream_seconds", 0.0), e.value("orchestration_seconds", 0.0),
        100.0 * e.value("orchestration_seconds", 0.0) / work, e.value("snapshot_seconds", 0.0),
        e.value("snapshot_bytes_per_task", 0.0) / 1000.0, e.value("trainers", 0));
    if (e.value("simulated", false)) {
      text += fmt::format(
          "simulated: {:.0f} s of virtual time with {} trainer(s) ({:.0f} s of virtual training)\n",
          e.value("virtual_seconds", 0.0), e.value("trainers", 0), e.value("train_seconds", 0.0));
    }
    text += fmt::format("state-hash: {}\nresults written to {}/results.json\nreport: {}",
                        e.value("state_hash", ""), e.value("dir", ""), e.value("report", ""));
    return text;
  }
  return {};
}

std::string ProgressView::summary_of(const Json& e) const {
  std::string inferred;
  if (e.contains("task_inference_accuracy")) {
    inferred = fmt::format(
        "; without task labels: task inferred for {}% of the test batches, "
        "accuracy {}%",
        percent(e["task_inference_accuracy"]), percent(e["inferred_average_accuracy"]));
  } else if (e.contains("inferred_average_accuracy")) {
    inferred =
        fmt::format("; without task labels: coefficients fitted to each test batch, accuracy {}%",
                    percent(e["inferred_average_accuracy"]));
  }
  return fmt::format(
             "{}: average accuracy {}%, BWT {:+.2f} points, forgetting {:.2f} (max-based {:.2f}), "
             "{:.0f} params per task, {} total; {:.0f} s training{}, {:.0f} s evaluating",
             e.value("simulated", false) ? "SIMULATED " + e.value("strategy", "")
                                         : e.value("strategy", ""),
             percent(e["average_accuracy"]), 100.0 * e.value("bwt", 0.0) + 0.0,
             100.0 * e.value("forgetting", 0.0) + 0.0, 100.0 * e.value("max_forgetting", 0.0) + 0.0,
             e.value("params_per_task", 0.0), e.value("total_params", 0),
             e.value("train_seconds", 0.0), e.value("simulated", false) ? " (virtual)" : "",
             e.value("evaluation_seconds", 0.0)) +
         inferred;
}

void ProgressView::show_log(const Json& event) {
  const std::string text = text_of(event);
  if (!text.empty()) {
    out_ << text << "\n";
    out_.flush();
  }
}

void ProgressView::show_quiet(const Json& e) {
  const std::string kind = e.value("event", "");
  if (kind == "interrupted") {
    out_ << text_of(e) << "\n";
  } else if (kind == "run_finished") {
    out_ << summary_of(e) << "\n"
         << fmt::format("state-hash: {}\nresults written to {}/results.json\n",
                        e.value("state_hash", ""), e.value("dir", ""));
  }
  out_.flush();
}

void ProgressView::show_terminal(const Json& e) {
  const std::string kind = e.value("event", "");
  const auto now = Clock::now();
  if (kind == "task_started") {
    Live live;
    live.task = e.value("task", "");
    live.index = e.value("index", 0);
    live.tasks = e.value("tasks", 0);
    live.generations = e.value("generations", 1);
    live.total = e.value("candidates", 1);
    live.started = now;
    live_[live.task] = live;
  } else if (kind == "candidate") {
    auto it = live_.find(e.value("task", ""));
    if (it != live_.end()) {
      ++it->second.done;
      it->second.generation = e.value("generation", 0);
      if (e.value("score", -1.0) > it->second.best_score) {
        it->second.best_score = e.value("score", -1.0);
        it->second.best_quality = e.value("quality", -1.0);
      }
    }
  } else if (kind == "task_committed") {
    auto it = live_.find(e.value("task", ""));
    if (it != live_.end()) {
      committed_seconds_ += std::chrono::duration<double>(now - it->second.started).count();
      ++committed_;
      live_.erase(it);
    }
  }
  // Root training shows as one transient line too.
  transient_ = kind == "root_step" ? text_of(e) : std::string();
  erase_live();
  if (kind != "task_started" && (kind != "candidate" || verbose_) && kind != "root_step") {
    const std::string text = text_of(e);
    if (!text.empty())
      out_ << text << "\n";
  }
  draw_live();
}

void ProgressView::erase_live() {
  // Move up over the live lines and clear them.
  for (size_t i = 0; i < drawn_; ++i)
    out_ << "\033[1A\r\033[2K";
  drawn_ = 0;
  out_.flush();
}

void ProgressView::draw_live() {
  const auto now = Clock::now();
  const double typical = committed_ > 0 ? committed_seconds_ / static_cast<double>(committed_) : 0;
  if (!transient_.empty()) {
    out_ << cut(transient_, columns_ - 1) << "\n";
    ++drawn_;
  }
  if (streaming_ && events_total_ > 0) {
    const double elapsed = std::chrono::duration<double>(now - stream_started_).count();
    out_ << cut(stream_line(events_done_, events_total_, events_at_start_, elapsed, typical),
                columns_ - 1)
         << "\n";
    ++drawn_;
  }
  for (const auto& [task, live] : live_) {
    out_ << cut(live_line(live, now, typical), columns_ - 1) << "\n";
    ++drawn_;
  }
  out_.flush();
}

}  // namespace evostream::app
