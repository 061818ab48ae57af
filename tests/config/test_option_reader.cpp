#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "common/config_error.hpp"
#include "config/option_reader.hpp"

using Catch::Matchers::Contains;
using evostream::common::ConfigError;
using evostream::config::OptionReader;
using evostream::config::OptionTable;

namespace {

// A `[strategy.demo]` table at line 10 of demo.toml, one key a line after it.
OptionTable demo_table() {
  OptionTable t;
  t.file = "demo.toml";
  t.prefix = "strategy.demo";
  t.line = 10;
  t.present = true;
  t.entries = {{"count", int64_t{3}, 11},
               {"rate", 0.5, 12},
               {"whole", int64_t{2}, 13},
               {"on", true, 14},
               {"mode", std::string("fast"), 15}};
  return t;
}

template <class F>
std::string error_of(F&& read) {
  try {
    read();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("An option reader returns the table's values and the defaults of absent keys",
          "[config][options]") {
  const OptionTable t = demo_table();
  OptionReader r(t);
  CHECK(r.integer("count", 1, 1, 10) == 3);
  CHECK(r.number("rate", 0.1, 0.0, 1.0) == 0.5);
  CHECK(r.number("whole", 0.1, 0.0, 5.0) == 2.0);  // an integer is a number too
  CHECK(r.boolean("on", false));
  CHECK(r.choice("mode", "slow", {"slow", "fast"}) == "fast");
  CHECK(r.integer("absent", 42, 1, 100) == 42);
  CHECK_NOTHROW(r.finish());
}

TEST_CASE("An option reader names the file, line and key of a bad value", "[config][options]") {
  const OptionTable t = demo_table();
  CHECK(error_of([&] { OptionReader(t).integer("count", 1, 5, 10); }) ==
        "demo.toml:11: strategy.demo.count: expected an integer in 5..10, found 3");
  CHECK(error_of([&] { OptionReader(t).integer("rate", 1, 0, 10); }) ==
        "demo.toml:12: strategy.demo.rate: expected an integer, found the number 0.5");
  CHECK(error_of([&] { OptionReader(t).number("rate", 0.1, 0.5, 1.0, true); }) ==
        "demo.toml:12: strategy.demo.rate: expected a number in (0.5, 1], found 0.5");
  CHECK(error_of([&] { OptionReader(t).number("mode", 0.1, 0.0, 1.0); }) ==
        "demo.toml:15: strategy.demo.mode: expected a number, found the string \"fast\"");
  CHECK(error_of([&] { OptionReader(t).boolean("count", false); }) ==
        "demo.toml:11: strategy.demo.count: expected true or false, found the integer 3");
  CHECK(error_of([&] {
          OptionReader(t).choice("mode", "a", {"a", "b"});
        }) == "demo.toml:15: strategy.demo.mode: expected one of a, b, found \"fast\"");
  CHECK(error_of([&] {
          OptionReader(t).choice("on", "a", {"a", "b"});
        }) == "demo.toml:14: strategy.demo.on: expected one of a, b, found true");
}

TEST_CASE("An option reader refuses numbers that are not finite", "[config][options]") {
  for (double v : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    OptionTable t = demo_table();
    t.entries[1].value = v;
    INFO(v);
    CHECK_THAT(error_of([&] { OptionReader(t).number("rate", 0.1, -1e300, 1e300); }),
               Contains("demo.toml:12: strategy.demo.rate: expected a number in"));
  }
}

TEST_CASE("An option reader rejects the keys nobody read, listing those read",
          "[config][options]") {
  const OptionTable t = demo_table();
  OptionReader r(t);
  r.integer("count", 1, 1, 10);
  r.number("rate", 0.1, 0.0, 1.0);
  CHECK(error_of([&] { r.finish(); }) ==
        "demo.toml:13: strategy.demo.whole: unknown key (expected one of: count, rate)");
  CHECK(error_of([&] { OptionReader(t).finish(); }) ==
        "demo.toml:11: strategy.demo.count: unknown key (this table takes no keys)");
}

TEST_CASE("An absent key reported by a cross-key check points at the table's line",
          "[config][options]") {
  const OptionTable t = demo_table();
  CHECK(error_of([&] { OptionReader(t).fail("size", "expected more"); }) ==
        "demo.toml:10: strategy.demo.size: expected more");
}
