#include "common/content_hash.hpp"

#include <cstring>

#include "common/rng.hpp"

namespace evostream::common {

namespace {

constexpr uint64_t kPrime = 0x9fb21c651e98df25ULL;

}  // namespace

ContentHash& ContentHash::update(const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = 0;
    for (int b = 0; b < 8; ++b)
      w |= uint64_t{p[i + b]} << (8 * b);  // little-endian everywhere
    state_ = (state_ ^ w) * kPrime;
    state_ ^= state_ >> 29;
  }
  uint64_t tail = 0;
  for (int b = 0; i < n; ++i, ++b)
    tail |= uint64_t{p[i]} << (8 * b);
  state_ = (state_ ^ tail) * kPrime;
  state_ ^= state_ >> 29;
  length_ += n;
  return *this;
}

ContentHash& ContentHash::update(uint64_t value) {
  state_ = (state_ ^ mix64(value)) * kPrime;
  state_ ^= state_ >> 29;
  length_ += 8;
  return *this;
}

ContentHash& ContentHash::update(const std::string& s) {
  update(static_cast<uint64_t>(s.size()));
  return update(s.data(), s.size());
}

ContentHash& ContentHash::update(const std::vector<int64_t>& values) {
  update(static_cast<uint64_t>(values.size()));
  for (int64_t v : values)
    update(static_cast<uint64_t>(v));
  return *this;
}

uint64_t ContentHash::digest() const {
  return mix64(state_ ^ mix64(length_));
}

std::string ContentHash::hex() const {
  static const char* kDigits = "0123456789abcdef";
  std::string out(16, '0');
  uint64_t d = digest();
  for (int i = 15; i >= 0; --i, d >>= 4)
    out[static_cast<size_t>(i)] = kDigits[d & 0xf];
  return out;
}

}  // namespace evostream::common
