#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace evostream::app {

/// Options of `evostream tasks`.
struct TasksOptions {
  /// The scenario file. Required.
  std::string scenario;
  /// Also print each task's content hash (to compare two machines or two runs). Default: false.
  bool hash = false;
  /// `--set KEY=VALUE` overrides of scenario keys (`ScenarioParser::parse_file`). Default: none.
  std::vector<std::string> sets;
};

/// `evostream tasks SCENARIO`: builds every task of a scenario and lists its classes and splits.
///
/// Lets a new user see that the data is there before training anything. Raises `ConfigError` or
/// `DataError` on bad input.
class TasksCommand {
 public:
  explicit TasksCommand(TasksOptions options) : options_(std::move(options)) {}
  /// Runs the command, printing to `out`; returns the exit status.
  int run(std::ostream& out) const;

 private:
  TasksOptions options_;
};

}  // namespace evostream::app
