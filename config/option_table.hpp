#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace evostream::config {

/// One scalar value of an options table: a boolean, an integer, a number or a string.
using OptionValue = std::variant<bool, int64_t, double, std::string>;

/// One key of an options table, with the line it was read from.
struct OptionEntry {
  std::string key;
  OptionValue value;
  /// The 1-based line of the value in the scenario, or 0 when it came from elsewhere.
  int64_t line = 0;
};

/// A table of scalar options as a scenario gave it, e.g. `[strategy.mu2net]`.
///
/// The scenario parser keeps each strategy's own table in this form, without knowing its keys;
/// the strategy's options struct reads it with an `OptionReader`, whose errors name the file,
/// the line and the dotted key as the parser's do.
struct OptionTable {
  /// The scenario file the table was read from.
  std::string file;
  /// The dotted name of the table, e.g. `strategy.mu2net`.
  std::string prefix;
  /// The line of the table's header, or of the nearest table when the scenario has none.
  int64_t line = 0;
  /// The keys in the order the file gave them.
  std::vector<OptionEntry> entries;
  /// Whether the scenario had the table (an absent one reads as all defaults).
  bool present = false;

  /// The entry called `key`, or nullptr.
  const OptionEntry* find(const std::string& key) const;
};

/// A short description of `v` for "found ..." in errors, as the scenario parser writes it.
std::string describe(const OptionValue& v);

}  // namespace evostream::config
