#pragma once

#include <string>
#include <vector>

#include "config/scenario.hpp"

namespace evostream::config {

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

  /// Parses the scenario file at `path` with command-line overrides applied first, each
  /// `KEY=VALUE` (`--set`): KEY is a dotted key (`strategy.mu2net.generations`,
  /// `tasks[2].max_train`, tables created as needed), VALUE a TOML value (`3`, `0.5`, `true`,
  /// `[1, 2]`, `"text"`; a word that is not TOML is a string). The result is validated exactly
  /// like the file; an error about an overridden key says so.
  static Scenario parse_file(const std::string& path, const std::vector<std::string>& sets);
  /// The text of `path` with `sets` applied and relative file names (`datasets.*.path`,
  /// `root.file`) made absolute, as TOML: what a run keeps as its scenario and offers its
  /// workers. The file as it is when there is nothing to change.
  static std::string text_with_sets(const std::string& path, const std::vector<std::string>& sets);

  /// A run's scenario (`text`, read from `file`) with the tasks of an extension appended, as
  /// TOML: what the run keeps as its scenario once it has grown.
  ///
  /// `more_text` (read from `more_file`) holds `[[tasks]]` entries and may add `[datasets.NAME]`
  /// tables; nothing else. Its tasks are validated by the same code and with the same messages
  /// as a scenario's, errors naming `more_file` and numbering its own entries from 0; a task or
  /// dataset name the run already has is refused. Its relative dataset paths are made absolute
  /// against `more_file`. A run with `[run] iterations` above 1 (each round revisits every task)
  /// or a generated `[simulation] tasks` stream cannot grow. Raises `ConfigError`.
  static std::string extended_text(const std::string& text, const std::string& file,
                                   const std::string& more_text, const std::string& more_file);
  /// `extended_text` of the files `file` and `more_file`.
  static std::string extended_file(const std::string& file, const std::string& more_file);
};

}  // namespace evostream::config
