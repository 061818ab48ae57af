#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>

#include "storage/run_lock.hpp"
#include "storage/storage_error.hpp"
#include "support/test_files.hpp"

using evostream::storage::RunLock;
using evostream::storage::StorageError;
using evostream::testing::TempDir;

namespace {

// Whether a child process can take the lock of `dir` now.
bool another_process_can_lock(const std::string& dir) {
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      const RunLock lock(dir);
      _exit(0);
    } catch (const StorageError&) {
      _exit(1);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

TEST_CASE("A run lock nests within a process and keeps other processes out until the last ends",
          "[storage][lock]") {
  TempDir d;
  std::optional<RunLock> outer(d.path());
  CHECK_FALSE(another_process_can_lock(d.path()));
  {
    // The same directory, named another way: the hold is shared, not refused.
    const RunLock inner(d.path() + "/.");
    CHECK_FALSE(another_process_can_lock(d.path()));
  }
  // The inner one ended; the outer one still holds.
  CHECK_FALSE(another_process_can_lock(d.path()));
  outer.reset();
  CHECK(another_process_can_lock(d.path()));
}
