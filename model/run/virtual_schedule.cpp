#include "model/run/virtual_schedule.hpp"

#include <algorithm>
#include <stdexcept>

namespace evostream::model {

namespace {

using Jobs = std::deque<std::pair<double, double>>;

// The earliest start at or after `from` at which `jobs` leave `seconds` free.
double earliest_gap(const Jobs& jobs, double from, double seconds) {
  double start = from;
  for (const auto& [begin, end] : jobs) {
    if (end <= start)
      continue;
    if (start + seconds <= begin)
      break;
    start = end;
  }
  return start;
}

}  // namespace

VirtualSchedule::VirtualSchedule(int64_t trainers) {
  if (trainers < 1)
    throw std::invalid_argument("VirtualSchedule: at least one trainer is needed");
  trainers_.resize(static_cast<size_t>(trainers));
}

double VirtualSchedule::place(double ready, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t best = 0;
  double start = 0.0;
  for (size_t t = 0; t < trainers_.size(); ++t) {
    const double s = earliest_gap(trainers_[t].jobs, std::max(ready, trainers_[t].floor), seconds);
    if (t == 0 || s < start) {
      best = t;
      start = s;
    }
  }
  Jobs& jobs = trainers_[best].jobs;
  const double end = start + seconds;
  jobs.insert(std::upper_bound(jobs.begin(), jobs.end(), std::make_pair(start, end)), {start, end});
  if (jobs.size() > kRemembered) {
    trainers_[best].floor = std::max(trainers_[best].floor, jobs.front().second);
    jobs.pop_front();
  }
  makespan_ = std::max(makespan_, end);
  busy_ += seconds;
  return end;
}

double VirtualSchedule::makespan() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return makespan_;
}

double VirtualSchedule::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return busy_;
}

}  // namespace evostream::model
