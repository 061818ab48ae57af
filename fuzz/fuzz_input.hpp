#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace evostream::fuzz {

/// The fuzzer's bytes as a file the readers can open by path: a temporary file in /dev/shm
/// (memory) or /tmp, removed with the object. (HDF5 cannot open a memfd through /proc/self/fd.)
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    path_ = std::string(dir) + "/evostream-fuzz-XXXXXX";
    const int fd = mkstemp(path_.data());
    for (size_t done = 0; fd >= 0 && done < size;) {
      const ssize_t n = write(fd, data + done, size - done);
      if (n <= 0)
        break;
      done += static_cast<size_t>(n);
    }
    if (fd >= 0)
      close(fd);
  }
  ~FuzzInput() { unlink(path_.c_str()); }
  FuzzInput(const FuzzInput&) = delete;
  FuzzInput& operator=(const FuzzInput&) = delete;

  /// A path that opens the bytes.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Prints an expected error when `EVOSTREAM_FUZZ_VERBOSE` is set (to see why a seed stops
/// where it does); silent otherwise, as the fuzzer runs millions of inputs.
inline void explain(const std::exception& e) {
  static const bool verbose = std::getenv("EVOSTREAM_FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "expected error: %s\n", e.what());
}

}  // namespace evostream::fuzz
