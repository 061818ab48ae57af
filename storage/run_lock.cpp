#include "storage/run_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "storage/storage_error.hpp"

namespace evostream::storage {

RunLock::RunLock(const std::string& dir) {
  const std::string path = dir + "/" + kFile;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw StorageError(path,
                       fmt::format("cannot open the run's lock file: {}", std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw StorageError(dir, fmt::format("in use by another evostream process (pid {}); wait "
                                          "for it to end or stop it",
                                          n > 0 ? std::string(holder, static_cast<size_t>(n))
                                                : std::string("unknown")));
    }
    throw StorageError(path, fmt::format("cannot lock the run: {}", std::strerror(error)));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only the message of a second process is poorer.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0)
    ::close(fd_);  // releases the flock
}

}  // namespace evostream::storage
