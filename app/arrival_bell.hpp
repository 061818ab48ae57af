#pragma once

#include <functional>
#include <mutex>

namespace evostream::app {

/// How a served run hears that tasks arrived: the HTTP gateway rings it after a task was
/// written into the run's scenario copy, and the run learning the stream listens while it runs
/// (its gateway actor then reads the copy and grows the stream). Rings while nobody listens are
/// not kept: a run that starts to listen reads the copy anyway. Safe from any thread.
class ArrivalBell {
 public:
  /// Tasks were added to the run's scenario copy.
  void ring();
  /// From now on `ring` calls `listener` (on the ringing thread; it must not block); an empty
  /// one stops listening.
  void listen(std::function<void()> listener);

 private:
  std::mutex mutex_;
  std::function<void()> listener_;
};

}  // namespace evostream::app
