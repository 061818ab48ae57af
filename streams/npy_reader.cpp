#include "streams/npy_reader.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstring>

#include "common/data_error.hpp"
#include "streams/gz_file.hpp"
#include "streams/labelled_images.hpp"

namespace evostream::streams {

using common::DataError;

namespace {

// Headers are trusted for nothing: NumPy itself refuses headers over 10,000 bytes by default.
constexpr int64_t kMaxHeader = 65536;
constexpr int64_t kMaxCount = 100'000'000;
constexpr int64_t kMaxSide = 4096;
constexpr int64_t kMaxChannels = 4;
const char kMagic[] = "\x93NUMPY";

// A reader of the header's Python dictionary literal, e.g.
// {'descr': '<u1', 'fortran_order': False, 'shape': (60000, 28, 28), }
class DictParser {
 public:
  DictParser(const std::string& file, const std::string& text) : file_(file), text_(text) {}

  NpyReader::Header parse() {
    NpyReader::Header h;
    bool descr = false, order = false, shape = false;
    expect('{');
    while (true) {
      skip();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      const std::string key = quoted();
      expect(':');
      if (key == "descr") {
        h.descr = quoted();
        descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
        order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        shape = true;
      } else {
        fail(fmt::format("expected the keys descr, fortran_order and shape, found \"{}\"", key));
      }
      skip();
      if (peek() == ',')
        ++pos_;
      else if (peek() != '}')
        fail(fmt::format("expected ',' or '}}' after the value of {}", key));
    }
    if (!descr || !order || !shape)
      fail("expected the keys descr, fortran_order and shape, found some missing");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(file_, fmt::format("bad .npy header: {} (at character {} of \"{}\")", what,
                                       pos_, printable()));
  }
  std::string printable() const {
    std::string out;
    for (char c : text_.substr(0, 120))
      out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    return out + (text_.size() > 120 ? "..." : "");
  }
  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void expect(char c) {
    skip();
    if (peek() != c)
      fail(fmt::format("expected '{}'", c));
    ++pos_;
  }
  std::string quoted() {
    skip();
    const char q = peek();
    if (q != '\'' && q != '"')
      fail("expected a quoted string");
    const size_t end = text_.find(q, pos_ + 1);
    if (end == std::string::npos)
      fail("expected the end of a quoted string");
    std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    skip();
    for (const char* word : {"True", "False"}) {
      const size_t n = std::strlen(word);
      if (text_.compare(pos_, n, word) == 0) {
        pos_ += n;
        return word[0] == 'T';
      }
    }
    fail("expected True or False");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> out;
    expect('(');
    while (true) {
      skip();
      if (peek() == ')') {
        ++pos_;
        return out;
      }
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        fail("expected a dimension (a non-negative integer)");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        v = v * 10 + (text_[pos_++] - '0');
        if (v > (int64_t{1} << 40))
          fail("expected dimensions below 2^40");
      }
      out.push_back(v);
      if (out.size() > 8)
        fail("expected at most 8 dimensions");
      skip();
      if (peek() == ',')
        ++pos_;
      else if (peek() != ')')
        fail("expected ',' or ')' in the shape");
    }
  }

  const std::string& file_;
  const std::string& text_;
  size_t pos_ = 0;
};

uint32_t little_endian(const std::string& bytes, size_t at, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
  return v;
}

// An element type: its kind ('u', 'i', 'f'), size in bytes; raises for what no reader takes.
struct ElementType {
  char kind;
  int size;
};

ElementType element_type(const std::string& file, const std::string& descr) {
  if (descr.size() == 3 &&
      (descr[0] == '<' || descr[0] == '|' || descr[0] == '=' || descr[0] == '>')) {
    const char kind = descr[1];
    const int size = descr[2] - '0';
    if ((kind == 'u' || kind == 'i' || kind == 'f') &&
        (size == 1 || size == 2 || size == 4 || size == 8)) {
      if (descr[0] == '>' && size > 1)
        throw DataError(file, fmt::format("expected a little-endian array, found type \"{}\" "
                                          "(save it with arr.astype(arr.dtype.newbyteorder('<')))",
                                          descr));
      return {kind, size};
    }
  }
  throw DataError(file,
                  fmt::format("expected an array of integers or floats, found type \"{}\"", descr));
}

// Reads the header and every data byte it announces (no more, no fewer).
NpyReader::Header read_array(const std::string& path, std::vector<uint8_t>& data,
                             ElementType& type) {
  GzFile file(path);
  std::string start(10, '\0');
  file.read_exact(start.data(), 10, "the .npy magic string and header length");
  const int major = static_cast<unsigned char>(start[6]);
  const bool known = std::memcmp(start.data(), kMagic, 6) == 0 && major >= 1 && major <= 3;
  if (known && major >= 2) {
    start.resize(12);
    file.read_exact(start.data() + 10, 2, "the .npy header length");
  }
  // Anything else is refused by parse_header, from the bytes read so far.
  const int64_t header_length =
      known ? static_cast<int64_t>(little_endian(start, 8, major == 1 ? 2 : 4)) : 0;
  if (known && header_length <= kMaxHeader) {
    const size_t at = start.size();
    start.resize(at + static_cast<size_t>(header_length));
    file.read_exact(start.data() + at, header_length, "the .npy header");
  }
  int64_t offset = 0;
  NpyReader::Header h = NpyReader::parse_header(path, start, offset);
  type = element_type(path, h.descr);
  if (h.fortran_order && h.shape.size() > 1) {
    throw DataError(path,
                    "expected a C-ordered array, found fortran_order True (save "
                    "numpy.ascontiguousarray(arr))");
  }
  constexpr int64_t kMaxElements = kMaxCount * kMaxSide * 4;
  int64_t count = 1;
  for (int64_t d : h.shape) {
    if (d != 0 && count > kMaxElements / d)
      throw DataError(path, fmt::format("expected at most {} elements, found shape ({})",
                                        kMaxElements, fmt::join(h.shape, ", ")));
    count *= d;
  }
  file.read_announced(
      data, count * type.size,
      fmt::format("{} elements of type {} (shape ({}))", count, h.descr, fmt::join(h.shape, ", ")));
  if (!file.at_end()) {
    throw DataError(path,
                    "expected the end of the file after the data its header announces, "
                    "found more bytes");
  }
  return h;
}

template <typename T>
T element(const std::vector<uint8_t>& data, int64_t i) {
  T v;
  std::memcpy(&v, data.data() + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

// Element i as an integer of the label types.
int64_t integer(const std::vector<uint8_t>& data, ElementType t, int64_t i) {
  switch (t.size) {
    case 1:
      return t.kind == 'u' ? element<uint8_t>(data, i) : element<int8_t>(data, i);
    case 2:
      return t.kind == 'u' ? element<uint16_t>(data, i) : element<int16_t>(data, i);
    case 4:
      return t.kind == 'u' ? element<uint32_t>(data, i) : element<int32_t>(data, i);
    default: {
      if (t.kind == 'u') {
        const uint64_t v = element<uint64_t>(data, i);
        return v > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(v);
      }
      return element<int64_t>(data, i);
    }
  }
}

}  // namespace

NpyReader::Header NpyReader::parse_header(const std::string& file, const std::string& bytes,
                                          int64_t& data_offset) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) {
    throw DataError(file,
                    "expected the .npy magic string \\x93NUMPY, found other bytes (is it a "
                    ".npz archive or a pickle? save each array with numpy.save)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) {
    throw DataError(file, fmt::format("expected .npy format version 1, 2 or 3, found {}", major));
  }
  const size_t prefix = major == 1 ? 10 : 12;
  if (bytes.size() < prefix)
    throw DataError(file, "expected a .npy header length, found the end of the file");
  const int64_t length = static_cast<int64_t>(little_endian(bytes, 8, major == 1 ? 2 : 4));
  if (length > kMaxHeader) {
    throw DataError(file, fmt::format("expected a .npy header of at most {} bytes, found one of {}",
                                      kMaxHeader, length));
  }
  if (static_cast<int64_t>(bytes.size()) < static_cast<int64_t>(prefix) + length) {
    throw DataError(file, fmt::format("truncated: expected a .npy header of {} bytes, found {}",
                                      length, bytes.size() - prefix));
  }
  data_offset = static_cast<int64_t>(prefix) + length;
  const std::string text = bytes.substr(prefix, static_cast<size_t>(length));
  return DictParser(file, text).parse();
}

ImageSet NpyReader::read_images(const std::string& path, NpyLayout layout) {
  std::vector<uint8_t> data;
  ElementType type{};
  const Header h = read_array(path, data, type);
  const auto& s = h.shape;
  const auto shape = [&] { return fmt::format("({})", fmt::join(s, ", ")); };
  if (!(type.kind == 'u' && type.size == 1) && !(type.kind == 'f' && type.size == 4)) {
    throw DataError(path, fmt::format("expected images of type uint8 (|u1) or float32 (<f4), "
                                      "found \"{}\"",
                                      h.descr));
  }
  int64_t n = 0, c = 1, height = 0, width = 0;
  bool nhwc = true;
  if (s.size() == 3) {
    n = s[0], height = s[1], width = s[2];
  } else if (s.size() == 4) {
    const auto channel_like = [](int64_t d) { return d >= 1 && d <= kMaxChannels; };
    if (layout == NpyLayout::kAuto) {
      // A channel axis of 1 to 4; when both ends could be one, the reading with square images.
      const bool last = channel_like(s[3]) && (!channel_like(s[1]) || s[1] == s[2]);
      const bool first = channel_like(s[1]) && (!channel_like(s[3]) || s[2] == s[3]);
      if (last == first) {
        throw DataError(path, fmt::format("expected images N×H×W×C or N×C×H×W with C of 1 to {}, "
                                          "found shape {} (set the dataset's layout to \"nhwc\" "
                                          "or \"nchw\", or save the array N×H×W×C)",
                                          kMaxChannels, shape()));
      }
      layout = last ? NpyLayout::kNhwc : NpyLayout::kNchw;
    }
    nhwc = layout == NpyLayout::kNhwc;
    n = s[0];
    c = nhwc ? s[3] : s[1];
    height = nhwc ? s[1] : s[2];
    width = nhwc ? s[2] : s[3];
  } else {
    throw DataError(path,
                    fmt::format("expected images of rank 3 (N×H×W) or 4, found shape {}", shape()));
  }
  if (n > kMaxCount || c < 1 || c > kMaxChannels || height < 1 || width < 1 || height > kMaxSide ||
      width > kMaxSide) {
    throw DataError(path, fmt::format("expected at most {} images of 1..{} channels and 1..{} × "
                                      "1..{} pixels, found shape {}",
                                      kMaxCount, kMaxChannels, kMaxSide, kMaxSide, shape()));
  }
  ImageSet images(c, height, width);
  images.reserve(n);
  std::vector<uint8_t> image(static_cast<size_t>(c * height * width));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t ch = 0; ch < c; ++ch) {
      for (int64_t p = 0; p < height * width; ++p) {
        const int64_t at =
            nhwc ? (i * height * width + p) * c + ch : (i * c + ch) * height * width + p;
        uint8_t v;
        if (type.kind == 'u') {
          v = data[static_cast<size_t>(at)];
        } else {
          const float f = element<float>(data, at);
          if (!(f >= 0.0f && f <= 1.0f)) {
            throw DataError(path, fmt::format("expected float32 pixels in [0, 1], found {} at "
                                              "image {} (save uint8 pixels, or divide by 255)",
                                              f, i));
          }
          v = static_cast<uint8_t>(std::lround(f * 255.0f));
        }
        image[static_cast<size_t>(ch * height * width + p)] = v;
      }
    }
    images.push_back(image.data(), 0);
  }
  return images;
}

std::vector<int64_t> NpyReader::read_labels(const std::string& path) {
  std::vector<uint8_t> data;
  ElementType type{};
  const Header h = read_array(path, data, type);
  const bool column = h.shape.size() == 2 && h.shape[1] == 1;
  if (type.kind == 'f' || (h.shape.size() != 1 && !column) || h.shape[0] > kMaxCount) {
    throw DataError(path, fmt::format("expected at most {} integer labels of shape (N,) or (N, 1), "
                                      "found type \"{}\" and shape ({})",
                                      kMaxCount, h.descr, fmt::join(h.shape, ", ")));
  }
  std::vector<int64_t> labels(static_cast<size_t>(h.shape[0]));
  for (int64_t i = 0; i < h.shape[0]; ++i)
    labels[static_cast<size_t>(i)] = integer(data, type, i);
  return labels;
}

ImageSet NpyReader::read(const std::string& images_path, const std::string& labels_path,
                         int64_t num_classes, NpyLayout layout) {
  return labelled_images(read_images(images_path, layout), read_labels(labels_path), num_classes,
                         images_path, labels_path);
}

}  // namespace evostream::streams
