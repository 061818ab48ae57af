#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace evostream::model {

/// The virtual clock of a simulated run: candidates' virtual costs placed on N trainers.
///
/// Each job goes to the trainer that is free first, in the order jobs are handed in (greedy list
/// scheduling without backfilling): it starts when both that trainer is free and the job is
/// ready (its batch was proposed), and ends its cost later. Thread-safe: the evolvers of tasks
/// evolving at once hand in their jobs from different threads.
class VirtualSchedule {
 public:
  /// A schedule over `trainers` trainers (at least 1), all free at time 0.
  explicit VirtualSchedule(int64_t trainers);

  /// Places a job ready at `ready` that takes `seconds`; returns when it ends.
  double place(double ready, double seconds);
  /// When the last job placed so far ends (0 before any).
  double makespan() const;
  /// Virtual seconds the trainers spent on jobs, over all of them.
  double busy() const;

 private:
  mutable std::mutex mutex_;
  std::vector<double> free_at_;
  double makespan_ = 0.0;
  double busy_ = 0.0;
};

}  // namespace evostream::model
