#include <catch2/catch.hpp>

#include "common/config_error.hpp"
#include "config/thread_budget.hpp"

using Catch::Matchers::Contains;
using evostream::common::ConfigError;
using evostream::config::check_thread_budget;
using evostream::config::TrainerSpec;

TEST_CASE("A trainer with more threads than the machine has cores is refused", "[config]") {
  TrainerSpec t;
  t.threads = 64;
  CHECK_THROWS_WITH(check_thread_budget(t, 2, "a.toml"),
                    Contains("a.toml: trainers.threads: expected at most 2 (the cores this "
                             "machine gives the process), found 64"));
  CHECK_THROWS_AS(check_thread_budget(t, 2, "a.toml"), ConfigError);
  t.threads = 2;
  CHECK(check_thread_budget(t, 2, "a.toml").empty());
}

TEST_CASE("Trainers whose threads together exceed the cores are warned about, not refused",
          "[config]") {
  TrainerSpec t;
  t.count = 3;
  t.threads = 1;
  CHECK_THAT(check_thread_budget(t, 2, "a.toml"),
             Contains("3 trainer(s) × 1 thread(s) = 3 threads on 2 core(s)"));
  CHECK(check_thread_budget(t, 4, "a.toml").empty());
  t.kind = TrainerSpec::Kind::kSimulated;
  t.threads = 64;
  CHECK(check_thread_budget(t, 2, "a.toml").empty());
}

TEST_CASE("The machine offers at least one core", "[config]") {
  CHECK(evostream::config::available_cores() >= 1);
}
