#include "model/virtual_schedule.hpp"

#include <algorithm>
#include <stdexcept>

namespace evostream::model {

VirtualSchedule::VirtualSchedule(int64_t trainers) {
  if (trainers < 1)
    throw std::invalid_argument("VirtualSchedule: at least one trainer is needed");
  free_at_.assign(static_cast<size_t>(trainers), 0.0);
}

double VirtualSchedule::place(double ready, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto trainer = std::min_element(free_at_.begin(), free_at_.end());
  const double end = std::max(*trainer, ready) + seconds;
  *trainer = end;
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
