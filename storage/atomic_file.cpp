#include "storage/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "storage/storage_error.hpp"

namespace evostream::storage {

void write_atomically(const std::string& path, const void* data, size_t size, mode_t mode,
                      bool kill_midway) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    throw StorageError(path, fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
  }
  const auto fail = [&](const char* what, int code) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw StorageError(path, fmt::format("cannot {} {}: {}", what, tmp, std::strerror(code)));
  };
  const auto write_range = [&](size_t from, size_t to) {
    while (from < to) {
      const ssize_t n = ::write(fd, bytes + from, std::min<size_t>(to - from, 1 << 20));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        fail("write", n < 0 ? errno : ENOSPC);
      from += static_cast<size_t>(n);
    }
  };
  const size_t half = size / 2;
  write_range(0, half);
  if (kill_midway)
    std::raise(SIGKILL);
  write_range(half, size);
  if (::fsync(fd) != 0)
    fail("sync", errno);
  if (::close(fd) != 0) {
    const int code = errno;
    ::unlink(tmp.c_str());
    throw StorageError(path, fmt::format("cannot close {}: {}", tmp, std::strerror(code)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int code = errno;
    ::unlink(tmp.c_str());
    throw StorageError(path,
                       fmt::format("cannot rename {} into place: {}", tmp, std::strerror(code)));
  }
}

}  // namespace evostream::storage
