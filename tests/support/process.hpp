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

/// Waits up to `seconds` until `path` exists and contains `text`; returns whether it did.
bool wait_for_text(const std::string& path, const std::string& text, double seconds);

}  // namespace evostream::testing
