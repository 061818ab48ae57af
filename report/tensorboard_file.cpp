#include "report/tensorboard_file.hpp"

#include <array>
#include <cstring>

namespace evostream::report {

namespace {

// Protocol buffer wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kFixed32 = 5;

void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void key(std::string& out, uint32_t field, uint32_t wire_type) {
  varint(out, (field << 3) | wire_type);
}

template <typename T>
void little_endian(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void fixed64(std::string& out, uint32_t field, double value) {
  key(out, field, kFixed64);
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  little_endian(out, bits);
}

void fixed32(std::string& out, uint32_t field, float value) {
  key(out, field, kFixed32);
  uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  little_endian(out, bits);
}

void bytes_field(std::string& out, uint32_t field, const std::string& data) {
  key(out, field, kLengthDelimited);
  varint(out, data.size());
  out += data;
}

uint32_t masked(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

}  // namespace

TensorBoardFile::TensorBoardFile(double wall_time) {
  std::string event;
  fixed64(event, 1, wall_time);
  bytes_field(event, 3, "brain.Event:2");
  bytes_ = record(event);
}

void TensorBoardFile::scalar(const std::string& tag, int64_t step, double value, double wall_time) {
  std::string v;
  bytes_field(v, 1, tag);
  fixed32(v, 2, static_cast<float>(value));
  std::string summary;
  bytes_field(summary, 1, v);
  std::string event;
  fixed64(event, 1, wall_time);
  key(event, 2, kVarint);
  varint(event, static_cast<uint64_t>(step));
  bytes_field(event, 5, summary);
  bytes_ += record(event);
  ++scalars_;
}

uint32_t TensorBoardFile::crc32c(const std::string& data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xffffffffu;
  for (const char ch : data)
    crc = table[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

std::string TensorBoardFile::record(const std::string& data) {
  std::string length;
  little_endian(length, static_cast<uint64_t>(data.size()));
  std::string out = length;
  little_endian(out, masked(crc32c(length)));
  out += data;
  little_endian(out, masked(crc32c(data)));
  return out;
}

}  // namespace evostream::report
