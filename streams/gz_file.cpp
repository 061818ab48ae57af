#include "streams/gz_file.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "common/data_error.hpp"

namespace evostream::streams {

using common::DataError;

namespace {

gzFile as_gz(void* h) {
  return static_cast<gzFile>(h);
}

// The error for a stream that ended before the `n` bytes of `what` a header announced: `found`
// of them arrived, or how the (gzip) stream broke.
DataError truncated(const std::string& path, int64_t n, const std::string& what,
                    const std::string& found) {
  return DataError(path,
                   "truncated: expected " + std::to_string(n) + " bytes of " + what + ", " + found);
}

}  // namespace

GzFile::GzFile(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec))
    throw DataError(path_, "file not found");
  if (std::filesystem::is_directory(path_, ec)) {
    throw DataError(path_, "expected a file, found a directory");
  }
  handle_ = gzopen(path_.c_str(), "rb");
  if (handle_ == nullptr) {
    throw DataError(path_, std::string("cannot open: ") + std::strerror(errno));
  }
  gzbuffer(as_gz(handle_), 1 << 17);
}

GzFile::~GzFile() {
  if (handle_ != nullptr)
    gzclose(as_gz(handle_));
}

int64_t GzFile::read_some(void* out, int64_t n) {
  auto* dst = static_cast<char*>(out);
  int64_t total = 0;
  while (total < n) {
    const auto chunk =
        static_cast<unsigned>(std::min<int64_t>(n - total, std::numeric_limits<int>::max() / 2));
    const int got = gzread(as_gz(handle_), dst + total, chunk);
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(as_gz(handle_), &code);
      throw DataError(path_, std::string("read error: ") + (msg ? msg : "unknown"));
    }
    if (got == 0)
      break;
    total += got;
  }
  return total;
}

void GzFile::read_exact(void* out, int64_t n, const std::string& what) {
  int64_t got = 0;
  try {
    got = read_some(out, n);
  } catch (const DataError& e) {
    // A truncated gzip stream surfaces as a zlib error; say it in the same words as a short file.
    throw truncated(path_, n, what, std::string("the stream ended early (") + e.what() + ")");
  }
  if (got != n) {
    throw truncated(path_, n, what, "found " + std::to_string(got));
  }
}

void GzFile::read_announced(std::vector<uint8_t>& out, int64_t n, const std::string& what) {
  // Grows with the bytes that really arrive: a header announcing gigabytes in a short file
  // costs one chunk, not the announced size.
  constexpr int64_t kChunk = int64_t{16} << 20;
  out.clear();
  int64_t got = 0;
  while (got < n) {
    const int64_t want = std::min(kChunk, n - got);
    out.resize(static_cast<size_t>(got + want));
    int64_t part = 0;
    try {
      part = read_some(out.data() + got, want);
    } catch (const DataError& e) {
      throw truncated(path_, n, what, std::string("the stream ended early (") + e.what() + ")");
    }
    got += part;
    if (part < want) {
      throw truncated(path_, n, what, "found " + std::to_string(got));
    }
  }
}

int64_t GzFile::read_all(std::vector<uint8_t>& out, int64_t limit) {
  constexpr int64_t kChunk = int64_t{1} << 20;
  out.clear();
  int64_t got = 0;
  for (;;) {
    out.resize(static_cast<size_t>(got + kChunk));
    const int64_t part = read_some(out.data() + got, kChunk);
    got += part;
    if (got > limit) {
      throw DataError(
          path_, "expected at most " + std::to_string(limit) + " bytes (uncompressed), found more");
    }
    if (part < kChunk)
      break;
  }
  out.resize(static_cast<size_t>(got));
  return got;
}

uint32_t GzFile::read_be32(const std::string& what) {
  unsigned char b[4];
  read_exact(b, 4, what);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

bool GzFile::at_end() {
  char c;
  try {
    return read_some(&c, 1) == 0;
  } catch (const DataError&) {
    return false;
  }
}

}  // namespace evostream::streams
