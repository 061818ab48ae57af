#include "config/option_table.hpp"

#include <fmt/format.h>

namespace evostream::config {

const OptionEntry* OptionTable::find(const std::string& key) const {
  for (const auto& e : entries) {
    if (e.key == key)
      return &e;
  }
  return nullptr;
}

std::string describe(const OptionValue& v) {
  if (const bool* b = std::get_if<bool>(&v))
    return *b ? "true" : "false";
  if (const int64_t* i = std::get_if<int64_t>(&v))
    return fmt::format("the integer {}", *i);
  if (const double* d = std::get_if<double>(&v))
    return fmt::format("the number {}", *d);
  return fmt::format("the string \"{}\"", std::get<std::string>(v));
}

}  // namespace evostream::config
