#include "storage/fault_injection.hpp"

#include <cstdlib>

namespace evostream::storage {

FaultInjection FaultInjection::from_environment() {
  FaultInjection f;
  if (const char* n = std::getenv("EVOSTREAM_KILL_IN_SNAPSHOT"))
    f.kill_in_snapshot = std::atoll(n);
  if (const char* n = std::getenv("EVOSTREAM_WORKER_DIE_IN_JOB"))
    f.kill_in_job = std::atoll(n);
  return f;
}

}  // namespace evostream::storage
