#pragma once

#include <string>

#include "streams/scenario.hpp"

namespace evostream::streams {

/// Reads and validates a TOML scenario.
///
/// Every problem raises `ConfigError` naming the file, the line, the dotted key, what was expected
/// and what was found: unknown keys, wrong types, out-of-range values, unknown datasets, an empty
/// stream, duplicate task names, missing required keys. Relative dataset paths and import files
/// are resolved against the scenario file's directory.
class ScenarioParser {
 public:
  /// Parses the scenario file at `path`.
  static Scenario parse_file(const std::string& path);
  /// Parses scenario text; `file` names it in errors and anchors relative paths.
  static Scenario parse_string(const std::string& text, const std::string& file);
};

}  // namespace evostream::streams
