#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evostream::common {

/// An incremental 64-bit content hash for reproducibility checks (not cryptographic).
///
/// The same bytes fed in the same order give the same digest on every platform.
class ContentHash {
 public:
  /// Feeds `n` bytes.
  ContentHash& update(const void* data, size_t n);
  /// Feeds one integer (as 8 little-endian bytes' worth of value).
  ContentHash& update(uint64_t value);
  /// Feeds a string and its length.
  ContentHash& update(const std::string& s);
  /// Feeds a vector of integers and its length.
  ContentHash& update(const std::vector<int64_t>& values);

  /// The digest of everything fed so far.
  uint64_t digest() const;
  /// The digest as 16 hex digits.
  std::string hex() const;

 private:
  uint64_t state_ = 0x6a09e667f3bcc908ULL;
  uint64_t length_ = 0;
};

}  // namespace evostream::common
