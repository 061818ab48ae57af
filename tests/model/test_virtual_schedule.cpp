#include <catch2/catch.hpp>

#include "model/run/virtual_schedule.hpp"

using evostream::model::VirtualSchedule;

TEST_CASE("One virtual trainer runs jobs one after another", "[model][simulation]") {
  VirtualSchedule s(1);
  CHECK(s.makespan() == 0.0);
  CHECK(s.place(0.0, 2.0) == 2.0);
  CHECK(s.place(0.0, 3.0) == 5.0);
  CHECK(s.place(10.0, 1.0) == 11.0);  // waits until the job is ready
  CHECK(s.makespan() == 11.0);
  CHECK(s.busy() == 6.0);
}

TEST_CASE("Virtual trainers take jobs on the one free first", "[model][simulation]") {
  VirtualSchedule s(2);
  CHECK(s.place(0.0, 4.0) == 4.0);
  CHECK(s.place(0.0, 1.0) == 1.0);
  CHECK(s.place(0.0, 1.0) == 2.0);  // the second trainer is free first again
  CHECK(s.place(3.0, 2.0) == 5.0);  // ready at 3 on the trainer free at 2
  CHECK(s.makespan() == 5.0);
  CHECK_THROWS_WITH(VirtualSchedule(0), Catch::Contains("at least one trainer"));
}

TEST_CASE("A virtual job fills idle time left before a later job", "[model][simulation]") {
  VirtualSchedule s(1);
  CHECK(s.place(10.0, 1.0) == 11.0);
  CHECK(s.place(0.0, 2.0) == 2.0);   // the trainer is idle until 10
  CHECK(s.place(1.0, 8.0) == 10.0);  // starts at 2, ends as the job at 10 begins
  CHECK(s.place(0.0, 0.5) == 11.5);  // no idle time left before 11
  CHECK(s.makespan() == 11.5);
  CHECK(s.busy() == 11.5);
}

TEST_CASE("Virtual jobs handed in late or early end at the same times", "[model][simulation]") {
  // Two visits' generations on two trainers: the lagging visit's jobs come second.
  VirtualSchedule ahead(2);
  CHECK(ahead.place(5.0, 3.0) == 8.0);
  CHECK(ahead.place(5.0, 3.0) == 8.0);
  CHECK(ahead.place(0.0, 4.0) == 4.0);
  CHECK(ahead.place(0.0, 4.0) == 4.0);
  VirtualSchedule behind(2);
  CHECK(behind.place(0.0, 4.0) == 4.0);
  CHECK(behind.place(0.0, 4.0) == 4.0);
  CHECK(behind.place(5.0, 3.0) == 8.0);
  CHECK(behind.place(5.0, 3.0) == 8.0);
  CHECK(ahead.makespan() == behind.makespan());
}

TEST_CASE("A virtual trainer forgets its oldest jobs and offers no idle time before them",
          "[model][simulation]") {
  VirtualSchedule s(1);
  for (size_t i = 0; i <= VirtualSchedule::kRemembered; ++i)
    s.place(10.0 * static_cast<double>(i + 1), 1.0);  // jobs at 10, 20, ... with gaps between
  // The first job (10 to 11) is forgotten: the idle time before it is no longer offered, the
  // gaps after it still are.
  CHECK(s.place(0.0, 1.0) == 12.0);
}
