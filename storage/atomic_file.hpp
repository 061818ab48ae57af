#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace evostream::storage {

/// Writes `size` bytes to `path` through `path.tmp`, which is synced and renamed into place, so
/// `path` is the whole new file or what it was before. The file gets permissions `mode`.
///
/// Any error (a full disk, a file size limit, a missing directory) removes the temporary file
/// and raises a `StorageError` naming `path` with the system's reason ("No space left on
/// device"). `kill_midway`: the crash tests' SIGKILL, once half of the bytes are written.
void write_atomically(const std::string& path, const void* data, size_t size, mode_t mode,
                      bool kill_midway = false);

}  // namespace evostream::storage
