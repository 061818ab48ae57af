#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evostream::streams {

/// A read-only file that may or may not be gzip-compressed (zlib detects which).
///
/// Every failure raises `DataError` naming the file: a missing file, a read error, or fewer
/// bytes than asked for.
class GzFile {
 public:
  /// Opens `path`; raises `DataError` if it cannot be opened.
  explicit GzFile(std::string path);
  ~GzFile();
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  /// Reads exactly `n` bytes into `out`; `what` names them in the error on a short read.
  void read_exact(void* out, int64_t n, const std::string& what);
  /// Reads exactly the `n` bytes a header announced into `out`, growing it as they arrive, so
  /// that a header claiming more than the file holds allocates little before the short read is
  /// reported (as `read_exact` reports it).
  void read_announced(std::vector<uint8_t>& out, int64_t n, const std::string& what);
  /// Reads the rest of the file into `out` and returns its size; raises `DataError` once it
  /// exceeds `limit` bytes (a gzip stream can expand a thousandfold).
  int64_t read_all(std::vector<uint8_t>& out, int64_t limit);
  /// Reads up to `n` bytes and returns how many were read (0 at the end of the file).
  int64_t read_some(void* out, int64_t n);
  /// Reads a big-endian 32-bit unsigned integer.
  uint32_t read_be32(const std::string& what);
  /// True when nothing is left to read.
  bool at_end();

  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  void* handle_ = nullptr;  // gzFile, kept opaque so zlib.h stays out of this header
};

}  // namespace evostream::streams
