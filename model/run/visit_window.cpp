#include "model/run/visit_window.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace evostream::model {

VisitWindow::VisitWindow(int64_t total, int64_t tasks, int64_t committed, int64_t window,
                         std::vector<double> virtual_arrivals)
    : total_(total),
      tasks_(tasks),
      committed_(committed),
      window_(window),
      next_(committed),
      arrived_(static_cast<size_t>(std::max<int64_t>(tasks, 0)), false),
      evolved_(static_cast<size_t>(std::max<int64_t>(total, 0)), false),
      virtual_arrivals_(std::move(virtual_arrivals)) {
  if (tasks < 1 || total < 0 || committed < 0 || committed > total || window < 1) {
    throw std::invalid_argument(fmt::format(
        "visit window: expected 0 <= committed <= total, at least one task and a window of at "
        "least 1, found committed {}, total {}, tasks {}, window {}",
        committed, total, tasks, window));
  }
}

void VisitWindow::arrived(int64_t task) {
  if (task < 0 || task >= tasks_)
    throw std::out_of_range(fmt::format("visit window: no task {} of {}", task, tasks_));
  arrived_[static_cast<size_t>(task)] = true;
}

void VisitWindow::grow(int64_t tasks) {
  if (total_ != tasks_ || tasks < tasks_) {
    throw std::logic_error(fmt::format(
        "visit window: a stream of {} visits over {} tasks cannot grow to {} tasks (expected "
        "one visit per task and more tasks)",
        total_, tasks_, tasks));
  }
  tasks_ = tasks;
  total_ = tasks;
  arrived_.resize(static_cast<size_t>(tasks), false);
  evolved_.resize(static_cast<size_t>(tasks), false);
}

std::vector<int64_t> VisitWindow::take_ready() {
  std::vector<int64_t> out;
  while (next_ < total_ && next_ < committed_ + window_ &&
         (next_ >= tasks_ || arrived_[static_cast<size_t>(next_)])) {
    out.push_back(next_++);
  }
  return out;
}

void VisitWindow::evolved(int64_t event) {
  if (event < committed_ || event >= next_)
    throw std::logic_error(fmt::format("visit window: visit {} is not in flight", event));
  evolved_[static_cast<size_t>(event)] = true;
}

std::optional<int64_t> VisitWindow::take_commit() {
  if (committing_ || committed_ >= next_ || !evolved_[static_cast<size_t>(committed_)])
    return std::nullopt;
  committing_ = true;
  return committed_;
}

void VisitWindow::committed(int64_t event) {
  if (!committing_ || event != committed_)
    throw std::logic_error(fmt::format("visit window: visit {} was not being committed", event));
  committing_ = false;
  ++committed_;
}

double VisitWindow::virtual_start(int64_t event) const {
  double at = event < static_cast<int64_t>(virtual_arrivals_.size())
                  ? virtual_arrivals_[static_cast<size_t>(event)]
                  : 0.0;
  if (const auto dep = virtual_commits_.find(event - window_); dep != virtual_commits_.end())
    at = std::max(at, dep->second);
  return at;
}

double VisitWindow::virtual_commit(int64_t event, double end) {
  const auto previous = virtual_commits_.find(event - 1);
  const double at = std::max(end, previous == virtual_commits_.end() ? 0.0 : previous->second);
  virtual_commits_[event] = at;
  virtual_commits_.erase(event - window_ - 1);  // no later visit waits on it
  virtual_seconds_ = std::max(virtual_seconds_, at);
  return at;
}

}  // namespace evostream::model
