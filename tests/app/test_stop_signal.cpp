#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/stop_signal.hpp"

using evostream::app::StopSignal;

TEST_CASE("A stop signal sets its flag and calls back from its own thread", "[app][stop]") {
  std::mutex m;
  std::condition_variable cv;
  int calls = 0;
  std::thread::id caller;
  {
    StopSignal stop([&] {
      std::lock_guard<std::mutex> lock(m);
      ++calls;
      caller = std::this_thread::get_id();
      cv.notify_all();
    });
    CHECK_FALSE(stop.stopped());
    stop.raise();
    CHECK(stop.stopped());
    CHECK(stop.flag()->load());
    std::unique_lock<std::mutex> lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return calls == 1; }));
    CHECK(caller != std::this_thread::get_id());
  }
  // Gone with its scope: another one may be made, but not two at once.
  StopSignal again([] {});
  CHECK_THROWS_WITH(StopSignal([] {}), "a StopSignal is active already");
}
