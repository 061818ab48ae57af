#pragma once

#include <string>

namespace evostream::testing {

/// What a run of the evostream program printed and returned.
struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

/// Runs the evostream program with `args` (already shell-quoted where needed), no input.
CliResult run_cli(const std::string& args);

/// The path of `configs/<name>` in the source tree.
std::string config(const std::string& name);

/// Lines in `s` (its newlines).
int lines(const std::string& s);

}  // namespace evostream::testing
