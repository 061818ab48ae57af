#include <catch2/catch.hpp>

#include "model/virtual_schedule.hpp"

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
