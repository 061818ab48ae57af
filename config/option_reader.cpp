#include "config/option_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "common/config_error.hpp"

namespace evostream::config {

using common::ConfigError;

const OptionEntry* OptionReader::take(const std::string& key) {
  read_.insert(key);
  return table_.find(key);
}

void OptionReader::fail(const std::string& key, const std::string& problem) const {
  const OptionEntry* e = table_.find(key);
  throw ConfigError(table_.file, e && e->line > 0 ? e->line : table_.line,
                    table_.prefix + "." + key, problem);
}

int64_t OptionReader::integer(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
  const OptionEntry* e = take(key);
  if (!e)
    return def;
  const int64_t* v = std::get_if<int64_t>(&e->value);
  if (!v)
    fail(key, "expected an integer, found " + describe(e->value));
  if (*v < lo || *v > hi) {
    const bool open = hi == std::numeric_limits<int64_t>::max();
    fail(key, fmt::format("expected an integer in {}..{}, found {}", lo,
                          open ? std::string() : std::to_string(hi), *v));
  }
  return *v;
}

double OptionReader::number(const std::string& key, double def, double lo, double hi,
                            bool lo_open) {
  const OptionEntry* e = take(key);
  if (!e)
    return def;
  double v = 0.0;
  if (const int64_t* i = std::get_if<int64_t>(&e->value))
    v = static_cast<double>(*i);
  else if (const double* d = std::get_if<double>(&e->value))
    v = *d;
  else
    fail(key, "expected a number, found " + describe(e->value));
  // Written so that NaN, which fails every comparison, is out of range too.
  if (!std::isfinite(v) || !(v >= lo && v <= hi) || (lo_open && v == lo)) {
    fail(key,
         fmt::format("expected a number in {}{}, {}], found {}", lo_open ? "(" : "[", lo, hi, v));
  }
  return v;
}

bool OptionReader::boolean(const std::string& key, bool def) {
  const OptionEntry* e = take(key);
  if (!e)
    return def;
  const bool* v = std::get_if<bool>(&e->value);
  if (!v)
    fail(key, "expected true or false, found " + describe(e->value));
  return *v;
}

std::string OptionReader::choice(const std::string& key, const std::string& def,
                                 const std::vector<std::string>& allowed) {
  const OptionEntry* e = take(key);
  std::string list;
  for (const auto& a : allowed)
    list += (list.empty() ? "" : ", ") + a;
  if (!e)
    return def;
  const std::string* v = std::get_if<std::string>(&e->value);
  if (!v)
    fail(key, fmt::format("expected one of {}, found {}", list, describe(e->value)));
  for (const auto& a : allowed) {
    if (a == *v)
      return *v;
  }
  fail(key, fmt::format("expected one of {}, found \"{}\"", list, *v));
}

void OptionReader::finish() const {
  for (const auto& e : table_.entries) {
    if (read_.count(e.key) == 0) {
      std::string known;
      for (const auto& k : read_)
        known += (known.empty() ? "" : ", ") + k;
      fail(e.key, known.empty() ? std::string("unknown key (this table takes no keys)")
                                : "unknown key (expected one of: " + known + ")");
    }
  }
}

}  // namespace evostream::config
