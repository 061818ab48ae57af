#include <catch2/catch.hpp>
#include <optional>
#include <vector>

#include "model/run/visit_window.hpp"

using evostream::model::VisitWindow;
using Events = std::vector<int64_t>;

TEST_CASE("One visit at a time begins when its task arrived and the one before committed",
          "[model][window]") {
  VisitWindow w(3, 3, 0, 1);
  CHECK(w.take_ready().empty());  // nothing has arrived
  w.arrived(1);
  CHECK(w.take_ready().empty());  // visit 0 comes first
  w.arrived(0);
  CHECK(w.take_ready() == Events{0});
  CHECK(w.take_ready().empty());  // the window is full
  CHECK_FALSE(w.take_commit());   // its learner is not done
  w.evolved(0);
  CHECK(w.take_commit() == 0);
  CHECK_FALSE(w.take_commit());  // one commit at a time
  CHECK(w.take_ready().empty());
  w.committed(0);
  CHECK(w.take_ready() == Events{1});
  CHECK(w.in_flight() == 1);
  CHECK_FALSE(w.finished());
}

TEST_CASE("A window of K lets K visits evolve and commits them in stream order",
          "[model][window]") {
  VisitWindow w(4, 4, 0, 2);
  for (int64_t t = 0; t < 4; ++t)
    w.arrived(t);
  CHECK(w.take_ready() == Events{0, 1});
  w.evolved(1);  // the second finishes first
  CHECK_FALSE(w.take_commit());
  w.evolved(0);
  CHECK(w.take_commit() == 0);
  w.committed(0);
  CHECK(w.take_ready() == Events{2});
  CHECK(w.take_commit() == 1);
  w.committed(1);
  CHECK(w.take_ready() == Events{3});
  w.evolved(2);
  w.evolved(3);
  CHECK(w.take_commit() == 2);
  w.committed(2);
  CHECK(w.take_commit() == 3);
  w.committed(3);
  CHECK(w.finished());
  CHECK(w.done() == 4);
  CHECK(w.take_ready().empty());
}

TEST_CASE("Revisits need no arrival and a resumed window starts at its commits",
          "[model][window]") {
  VisitWindow w(6, 3, 4, 1);  // two iterations of three tasks, four visits done
  CHECK(w.take_ready() == Events{4});
  w.evolved(4);
  CHECK(w.take_commit() == 4);
  w.committed(4);
  CHECK(w.take_ready() == Events{5});
}

TEST_CASE("Misuse of a visit window is refused", "[model][window]") {
  CHECK_THROWS_AS(VisitWindow(3, 0, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(VisitWindow(3, 3, 4, 1), std::invalid_argument);
  CHECK_THROWS_AS(VisitWindow(3, 3, 0, 0), std::invalid_argument);
  VisitWindow w(3, 3, 0, 1);
  CHECK_THROWS_AS(w.arrived(3), std::out_of_range);
  CHECK_THROWS_WITH(w.evolved(0), "visit window: visit 0 is not in flight");
  CHECK_THROWS_WITH(w.committed(0), "visit window: visit 0 was not being committed");
}

TEST_CASE("Virtual time: a visit begins after its arrival and visit e − K's commit",
          "[model][window]") {
  VisitWindow w(3, 3, 0, 1, {0.0, 5.0, 6.0});
  CHECK(w.virtual_start(0) == 0.0);
  CHECK(w.virtual_commit(0, 10.0) == 10.0);
  CHECK(w.virtual_start(1) == 10.0);        // arrived at 5, but visit 0 committed at 10
  CHECK(w.virtual_commit(1, 8.0) == 10.0);  // not before the visit before it
  CHECK(w.virtual_start(2) == 10.0);
  CHECK(w.virtual_commit(2, 14.0) == 14.0);
  CHECK(w.virtual_seconds() == 14.0);
}

TEST_CASE("A stream that grows while its last visit evolves begins the new task in the window",
          "[model][window]") {
  VisitWindow w(2, 2, 0, 2);
  w.arrived(0);
  w.arrived(1);
  CHECK(w.take_ready() == Events{0, 1});
  w.evolved(0);
  CHECK(w.take_commit() == 0);
  w.committed(0);
  w.grow(3);
  CHECK(w.take_ready().empty());  // the new task has not arrived
  w.arrived(2);
  CHECK(w.take_ready() == Events{2});  // beside visit 1, still evolving
  w.evolved(1);
  w.evolved(2);
  CHECK(w.take_commit() == 1);
  w.committed(1);
  CHECK(w.take_commit() == 2);
  w.committed(2);
  CHECK(w.finished());
}

TEST_CASE("A finished stream grows and is no longer finished", "[model][window]") {
  VisitWindow w(1, 1, 1, 1);
  CHECK(w.finished());
  w.grow(2);
  CHECK_FALSE(w.finished());
  w.arrived(1);
  CHECK(w.take_ready() == Events{1});
}

TEST_CASE("A stream of several iterations or a shrinking one does not grow", "[model][window]") {
  VisitWindow rounds(4, 2, 0, 1);
  CHECK_THROWS_WITH(rounds.grow(3), Catch::Contains("one visit per task"));
  VisitWindow once(3, 3, 0, 1);
  CHECK_THROWS_AS(once.grow(2), std::logic_error);
  CHECK_THROWS_AS(once.arrived(3), std::out_of_range);
}
