#include "app/arrival_bell.hpp"

namespace evostream::app {

void ArrivalBell::ring() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (listener_)
    listener_();
}

void ArrivalBell::listen(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(mutex_);
  listener_ = std::move(listener);
}

}  // namespace evostream::app
