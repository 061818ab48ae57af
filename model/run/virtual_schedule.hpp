#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace evostream::model {

/// The virtual clock of a simulated run: candidates' virtual costs placed on N trainers.
///
/// Each job starts at the earliest moment, not before it is ready (its batch was proposed),
/// at which some trainer is idle for its whole length, the lowest-numbered such trainer on
/// ties: list scheduling with backfilling, as a real pool hands a job to whichever trainer is
/// idle. So a job of a visit that lags behind in real time still fills the idle time it would
/// have found, and the makespan hardly depends on the order in which evolvers running at once
/// hand their jobs in. Each trainer remembers its last `kRemembered` jobs; earlier idle time is
/// no longer offered (which can only lengthen the makespan). Thread-safe: the evolvers of tasks
/// evolving at once hand in their jobs from different threads.
class VirtualSchedule {
 public:
  /// A schedule over `trainers` trainers (at least 1), all free at time 0.
  explicit VirtualSchedule(int64_t trainers);

  /// Jobs each trainer remembers for backfilling.
  static constexpr size_t kRemembered = 256;

  /// Places a job ready at `ready` that takes `seconds`; returns when it ends.
  double place(double ready, double seconds);
  /// When the last job placed so far ends (0 before any).
  double makespan() const;
  /// Virtual seconds the trainers spent on jobs, over all of them.
  double busy() const;

 private:
  /// One trainer's remembered jobs as [start, end), by start, and the end of the ones it
  /// forgot (nothing is placed before it).
  struct Timeline {
    std::deque<std::pair<double, double>> jobs;
    double floor = 0.0;
  };
  mutable std::mutex mutex_;
  std::vector<Timeline> trainers_;
  double makespan_ = 0.0;
  double busy_ = 0.0;
};

}  // namespace evostream::model
