#pragma once

#include <string>

namespace evostream::app {

/// `s` as one CSV field: as it is, or quoted as RFC 4180 says when it holds a comma, a quote or
/// a newline (run labels, task and file names may).
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string q = "\"";
  for (char c : s)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace evostream::app
