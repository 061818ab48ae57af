#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace evostream::model {

/// Which task visits of a stream may begin, and which commits next: the coordinator's rules as
/// pure logic.
///
/// Visit e (task e mod n of iteration e / n) may begin once its task has arrived (revisits
/// always have), every visit before it has begun, and fewer than `window` visits are begun and
/// not committed (`[run] concurrent_tasks`). Visits commit in stream order, one at a time, each
/// once its learner is done. Simulated runs also keep virtual time: visit e can begin when its
/// task arrived and visit e − window committed; a visit commits at the later of when its last
/// candidate ended and when the visit before it committed.
class VisitWindow {
 public:
  /// A stream of `total` visits over `tasks` tasks, of which the first `committed` are done,
  /// `window` at once; `virtual_arrivals` (simulated runs; may be empty) gives each task's
  /// arrival in virtual seconds.
  VisitWindow(int64_t total, int64_t tasks, int64_t committed, int64_t window,
              std::vector<double> virtual_arrivals = {});

  /// Task `task` (its first visit) has arrived.
  void arrived(int64_t task);
  /// The stream grew to `tasks` tasks (the new ones have not arrived yet). Only a stream that
  /// visits each task once grows: raises `std::logic_error` when visits are not tasks (several
  /// iterations) or `tasks` is fewer than before.
  void grow(int64_t tasks);
  /// The visits that may begin now, in stream order; they count as begun from here on.
  std::vector<int64_t> take_ready();
  /// The learner of visit `event` (begun, not committed) is done.
  void evolved(int64_t event);
  /// The visit to commit now: the oldest begun one, when its learner is done and no commit is
  /// in progress; it counts as committing until `committed`.
  std::optional<int64_t> take_commit();
  /// Visit `event`, the one `take_commit` gave, is committed.
  void committed(int64_t event);

  /// Virtual seconds at which visit `event` can begin.
  double virtual_start(int64_t event) const;
  /// Records when visit `event`'s last candidate ended (virtual); returns when it commits.
  double virtual_commit(int64_t event, double end);
  /// The latest virtual commit so far.
  double virtual_seconds() const { return virtual_seconds_; }

  /// Visits committed.
  int64_t done() const { return committed_; }
  /// Visits begun and not committed.
  int64_t in_flight() const { return next_ - committed_; }
  /// Whether every visit is committed.
  bool finished() const { return committed_ == total_; }

 private:
  int64_t total_;
  int64_t tasks_;
  int64_t committed_;
  int64_t window_;
  int64_t next_;
  bool committing_ = false;
  std::vector<bool> arrived_;
  std::vector<bool> evolved_;  // by event
  std::vector<double> virtual_arrivals_;
  std::map<int64_t, double> virtual_commits_;  // event → when it committed (virtual)
  double virtual_seconds_ = 0.0;
};

}  // namespace evostream::model
