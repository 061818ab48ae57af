#pragma once

#include <string>

namespace evostream::storage {

/// An exclusive hold on a run directory for the life of the object, so that two processes
/// (two `run --force`, a `resume` of a run still going, a `replay` into the same place) never
/// write one directory.
///
/// It is an `flock` on `DIR/.lock`, which the kernel releases when the process ends however it
/// ends (SIGKILL included), so a crashed run leaves no stale lock; the file holds the holder's
/// pid for the message the next process gets.
///
/// Within one process the hold nests: a second `RunLock` of a directory the process holds
/// already (`serve` holds its run between the sessions it starts, each of which takes the lock
/// too) shares the hold, which ends with the last of them.
class RunLock {
 public:
  /// Takes the lock of `dir` (which must exist), or shares this process's hold on it; raises
  /// `StorageError` naming the directory and the pid that holds it when another process does.
  explicit RunLock(const std::string& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  /// The name of the lock file inside a run directory.
  static constexpr const char* kFile = ".lock";

 private:
  std::string key_;  // the directory's canonical path
};

}  // namespace evostream::storage
