#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace evostream::testing {

/// The whole content of a text file ("" when it cannot be read).
std::string slurp(const std::string& path);

/// Starts `program args...` with stdout and stderr going to `log`, and `env` (NAME=VALUE, may
/// be empty) added to its environment; returns its pid.
pid_t spawn(const std::string& program, const std::vector<std::string>& args,
            const std::string& log, const std::string& env = "");

/// Waits for `pid`; returns its exit status, or 128 + the signal that ended it.
int wait_for(pid_t pid);
/// The same for at most `seconds`: a process still running then is killed (SIGKILL) and -1
/// returned, so that a hang fails its test with its logs instead of stalling the suite.
int wait_for(pid_t pid, double seconds);

/// Runs the evostream program under test with `args` (output to `log`) and waits for it, at most
/// `seconds`; returns its exit status as `wait_for` does.
int run_to_exit(const std::vector<std::string>& args, const std::string& log,
                double seconds = 300.0);
/// The same with `env` (NAME=VALUE) added to its environment.
int run_to_exit(const std::vector<std::string>& args, const std::string& log,
                const std::string& env, double seconds = 300.0);
/// The `state-hash: ...` line `evostream inspect DIR --hash` prints (through `log`); fails the
/// test when inspect fails.
std::string inspect_hash(const std::string& dir, const std::string& log);

/// Waits up to `seconds` until `path` exists and contains `text`; returns whether it did.
bool wait_for_text(const std::string& path, const std::string& text, double seconds);

}  // namespace evostream::testing
