#pragma once

#include <cstdint>
#include <string>

#include "config/scenario.hpp"

namespace evostream::config {

/// The cores this process may run on (its CPU affinity mask; at least 1).
int64_t available_cores();

/// Checks a scenario's trainers against a machine of `cores` cores, before any work starts.
///
/// A trainer with more torch threads than cores only waits on itself (64 threads on 2 cores ran
/// about 100× slower), so `threads > cores` raises a `ConfigError` naming `file` and the key
/// `trainers.threads`. Several trainers whose threads together exceed the cores still work,
/// each slower: that returns a one-line warning, and an empty string when everything fits.
/// Simulated trainers use no threads and always fit.
std::string check_thread_budget(const TrainerSpec& trainers, int64_t cores,
                                const std::string& file);

}  // namespace evostream::config
