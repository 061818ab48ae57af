#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace evostream::app {

/// Ctrl-C for one run: while it lives, SIGINT sets `flag()` and calls `on_stop` from a thread
/// of its own (the handler only writes a byte to a pipe, which is all a signal handler may do);
/// a second Ctrl-C ends the process at once.
///
/// Nothing polls: the watcher thread sleeps in `read` until the handler or the destructor
/// writes. One may exist at a time (the handler finds it through one static pointer); a second
/// raises `std::logic_error`.
class StopSignal {
 public:
  explicit StopSignal(std::function<void()> on_stop);
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  /// Set once SIGINT came: what the trainers check at each validation.
  const std::atomic<bool>* flag() const { return &flag_; }
  bool stopped() const { return flag_.load(); }

  /// What the signal handler does, callable directly (tests): sets the flag and wakes the
  /// watcher.
  void raise();
  /// Stops the live one as Ctrl-C would (from any thread but a signal handler: `POST
  /// /shutdown`); returns whether one was live.
  static bool raise_active();

 private:
  static void on_sigint(int);

  std::function<void()> on_stop_;
  std::atomic<bool> flag_{false};
  int pipe_[2] = {-1, -1};
  std::thread watcher_;
};

}  // namespace evostream::app
