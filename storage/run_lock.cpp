#include "storage/run_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

// The directories this process holds: their lock file's descriptor, how many `RunLock`s share
// the hold, and the process that took it (a child made by fork inherits the table, not the
// hold).
struct Hold {
  int fd = -1;
  int count = 0;
  pid_t pid = 0;
};
std::mutex holds_mutex;
std::map<std::string, Hold>& holds() {
  static std::map<std::string, Hold> h;
  return h;
}

}  // namespace

RunLock::RunLock(const std::string& dir) {
  std::error_code ec;
  key_ = std::filesystem::weakly_canonical(dir, ec).string();
  if (ec)
    key_ = dir;
  std::lock_guard<std::mutex> lock(holds_mutex);
  if (auto it = holds().find(key_); it != holds().end()) {
    if (it->second.pid == ::getpid()) {
      ++it->second.count;
      return;
    }
    holds().erase(it);
  }
  const std::string path = dir + "/" + kFile;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw StorageError(path,
                       fmt::format("cannot open the run's lock file: {}", std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    if (error == EWOULDBLOCK) {
      throw StorageError(dir, fmt::format("in use by another evostream process (pid {}); wait "
                                          "for it to end or stop it",
                                          n > 0 ? std::string(holder, static_cast<size_t>(n))
                                                : std::string("unknown")));
    }
    throw StorageError(path, fmt::format("cannot lock the run: {}", std::strerror(error)));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only the message of a second process is poorer.
  }
  holds()[key_] = {fd, 1, ::getpid()};
}

RunLock::~RunLock() {
  std::lock_guard<std::mutex> lock(holds_mutex);
  const auto it = holds().find(key_);
  if (it == holds().end() || it->second.pid != ::getpid() || --it->second.count > 0)
    return;
  ::close(it->second.fd);  // releases the flock
  holds().erase(it);
}

}  // namespace evostream::storage
