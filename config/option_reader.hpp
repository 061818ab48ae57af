#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "config/option_table.hpp"

namespace evostream::config {

/// Reads the keys of an `OptionTable` with range checks, and rejects the keys it was not asked
/// for.
///
/// Every error is a `ConfigError` naming the file, the line and the dotted key, with what was
/// expected and what was found: the same messages as the scenario parser's.
class OptionReader {
 public:
  explicit OptionReader(const OptionTable& table) : table_(table) {}

  /// An integer in [lo, hi]; `def` when the key is absent.
  int64_t integer(const std::string& key, int64_t def, int64_t lo, int64_t hi);
  /// A finite number (integer or float) in [lo, hi], or in (lo, hi] when `lo_open`; `def` when
  /// the key is absent.
  double number(const std::string& key, double def, double lo, double hi, bool lo_open = false);
  /// true or false; `def` when the key is absent.
  bool boolean(const std::string& key, bool def);
  /// One of `allowed`; `def` when the key is absent.
  std::string choice(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed);

  /// Raises a `ConfigError` about `key` (at its line when the table has it).
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  /// Rejects every key that was not read, listing those that were.
  void finish() const;

  const OptionTable& table() const { return table_; }

 private:
  const OptionEntry* take(const std::string& key);

  const OptionTable& table_;
  std::set<std::string> read_;
};

}  // namespace evostream::config
