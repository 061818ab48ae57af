#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace evostream::common {

/// Raised when a scenario file is invalid.
///
/// The message reads `FILE:LINE: KEY: PROBLEM`, e.g.
/// `configs/x.toml:12: strategy.generations: expected an integer >= 1, found -3`.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& file, int64_t line, const std::string& key,
              const std::string& problem)
      : std::runtime_error(format(file, line, key, problem)),
        file_(file),
        line_(line),
        key_(key),
        problem_(problem) {}

  /// The scenario file.
  const std::string& file() const noexcept { return file_; }
  /// The 1-based line of the offending value, or 0 when the problem has no single line.
  int64_t line() const noexcept { return line_; }
  /// The dotted key, e.g. `strategy.generations` or `tasks[2].classes`.
  const std::string& key() const noexcept { return key_; }
  /// What is wrong, without the file, line and key.
  const std::string& problem() const noexcept { return problem_; }

 private:
  static std::string format(const std::string& file, int64_t line, const std::string& key,
                            const std::string& problem) {
    std::string out = file;
    if (line > 0)
      out += ":" + std::to_string(line);
    out += ": ";
    if (!key.empty())
      out += key + ": ";
    return out + problem;
  }

  std::string file_;
  int64_t line_;
  std::string key_;
  std::string problem_;
};

}  // namespace evostream::common
