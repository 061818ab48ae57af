#pragma once

#include <cstdint>

namespace evostream::storage {

/// Deliberate crashes for the crash-safety tests, handed explicitly to what they crash (the
/// run session's snapshot writes, a worker's trainer). Nothing reads them from a global.
struct FaultInjection {
  /// Kill the process (SIGKILL) in the middle of writing snapshot N: after its components,
  /// before the flush and the rename. 0: never. Default: 0.
  int64_t kill_in_snapshot = 0;
  /// Kill the process in the middle of its trainer's job number N (counted from 1). 0: never.
  /// Default: 0.
  int64_t kill_in_job = 0;

  /// What the environment asks for: `EVOSTREAM_KILL_IN_SNAPSHOT=N` and
  /// `EVOSTREAM_WORKER_DIE_IN_JOB=N`. Read once, by the program's entry point.
  static FaultInjection from_environment();
};

}  // namespace evostream::storage
