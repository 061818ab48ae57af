#include "app/stop_signal.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

namespace evostream::app {

namespace {

// The live StopSignal, for the handler; set and cleared only outside signal context, under
// `active_mutex` (which `raise_active` holds while it uses it).
std::atomic<StopSignal*> active{nullptr};
std::mutex active_mutex;

constexpr char kStop = 's';
constexpr char kQuit = 'q';

}  // namespace

StopSignal::StopSignal(std::function<void()> on_stop) : on_stop_(std::move(on_stop)) {
  std::lock_guard<std::mutex> lock(active_mutex);
  StopSignal* none = nullptr;
  if (!active.compare_exchange_strong(none, this))
    throw std::logic_error("a StopSignal is active already");
  if (::pipe(pipe_) != 0) {
    active.store(nullptr);
    throw std::runtime_error(std::string("cannot create the stop pipe: ") + std::strerror(errno));
  }
  watcher_ = std::thread([this] {
    for (;;) {
      char c = 0;
      const ssize_t n = ::read(pipe_[0], &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == kQuit)
        return;
      if (on_stop_)
        on_stop_();
    }
  });
  std::signal(SIGINT, &StopSignal::on_sigint);
}

StopSignal::~StopSignal() {
  {
    std::lock_guard<std::mutex> lock(active_mutex);
    std::signal(SIGINT, SIG_DFL);
    active.store(nullptr);
  }
  const char c = kQuit;
  while (::write(pipe_[1], &c, 1) < 0 && errno == EINTR) {
  }
  watcher_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

void StopSignal::raise() {
  flag_.store(true);
  const char c = kStop;
  // write(2) is async-signal-safe; a full pipe means a wake-up is pending already.
  [[maybe_unused]] const ssize_t n = ::write(pipe_[1], &c, 1);
}

bool StopSignal::raise_active() {
  std::lock_guard<std::mutex> lock(active_mutex);
  StopSignal* s = active.load();
  if (s)
    s->raise();
  return s != nullptr;
}

void StopSignal::on_sigint(int) {
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
  if (StopSignal* s = active.load())
    s->raise();
}

}  // namespace evostream::app
