#include "streams/image_folder_reader.hpp"

#include <fmt/format.h>
#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include "common/data_error.hpp"
#include "common/rng.hpp"
#include "config/class_folders.hpp"

namespace evostream::streams {

using common::DataError;
using common::Rng;

namespace {

namespace fs = std::filesystem;

constexpr int64_t kMaxFileBytes = 64 << 20;
constexpr int kMaxSide = 16384;

bool is_image_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::string read_file(const std::string& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec)
    throw DataError(file, "expected an image file, found " + ec.message());
  if (size > static_cast<uintmax_t>(kMaxFileBytes)) {
    throw DataError(file, fmt::format("expected an image of at most {} MB, found {} bytes",
                                      kMaxFileBytes >> 20, size));
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw DataError(file, "expected a readable image file, found a read error");
  return bytes;
}

}  // namespace

std::vector<std::string> ImageFolderReader::class_names(const std::string& dir) {
  return config::class_folders(dir);
}

std::vector<std::string> ImageFolderReader::image_files(const std::string& class_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : config::directory_entries(class_dir)) {
    if (!e.is_directory(ec) && !config::hidden_name(e.path()) && is_image_name(e.path()))
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) {
    throw DataError(class_dir,
                    "expected .png, .jpg or .jpeg files in this class folder, found "
                    "none");
  }
  return out;
}

std::vector<uint8_t> ImageFolderReader::decode_bytes(const std::string& name,
                                                     const std::string& bytes, int64_t channels,
                                                     int64_t side) {
  if (channels < 1 || channels > 4 || side < 1 || side > kMaxSide)
    throw std::invalid_argument(fmt::format("decode: bad channels {} or side {}", channels, side));
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int length = static_cast<int>(bytes.size());
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(data, length, &w, &h, &n)) {
    throw DataError(name,
                    fmt::format("expected a PNG or JPEG image, found {}", stbi_failure_reason()));
  }
  if (w < 1 || h < 1 || w > kMaxSide || h > kMaxSide) {
    throw DataError(name, fmt::format("expected an image of 1..{} pixels a side, found {} × {}",
                                      kMaxSide, w, h));
  }
  const int c = static_cast<int>(channels);
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(data, length, &w, &h, &n, c), stbi_image_free);
  if (!pixels) {
    throw DataError(name, fmt::format("expected a PNG or JPEG image that decodes, found {}",
                                      stbi_failure_reason()));
  }
  const int s = static_cast<int>(side);
  std::vector<uint8_t> hwc(static_cast<size_t>(s) * s * c);
  if (w == s && h == s) {
    std::copy(pixels.get(), pixels.get() + hwc.size(), hwc.begin());
  } else if (!stbir_resize_uint8(pixels.get(), w, h, 0, hwc.data(), s, s, 0, c)) {
    throw DataError(name, fmt::format("could not resize {} × {} to {} × {}", w, h, s, s));
  }
  // Channel-first, as every image set holds its pixels.
  std::vector<uint8_t> chw(hwc.size());
  for (int p = 0; p < s * s; ++p)
    for (int k = 0; k < c; ++k)
      chw[static_cast<size_t>(k) * s * s + p] = hwc[static_cast<size_t>(p) * c + k];
  return chw;
}

std::vector<uint8_t> ImageFolderReader::decode(const std::string& file, int64_t channels,
                                               int64_t side) {
  return decode_bytes(file, read_file(file), channels, side);
}

namespace {

// The image files of each class folder of `dir`.
std::vector<std::vector<std::string>> files_by_class(const std::string& dir,
                                                     const std::vector<std::string>& classes) {
  std::vector<std::vector<std::string>> out;
  for (const auto& name : classes) {
    const std::string class_dir = (fs::path(dir) / name).string();
    std::error_code ec;
    if (!fs::is_directory(class_dir, ec)) {
      throw DataError(class_dir,
                      fmt::format("expected the folder of class \"{}\" (as in the "
                                  "training folder), found {}",
                                  name, fs::exists(class_dir, ec) ? "a file" : "nothing"));
    }
    out.push_back(ImageFolderReader::image_files(class_dir));
  }
  return out;
}

void append(ImageSet& set, const std::string& file, int64_t label) {
  const std::vector<uint8_t> pixels = ImageFolderReader::decode(file, set.channels(), set.height());
  set.push_back(pixels.data(), label);
}

}  // namespace

ImageSet ImageFolderReader::read(const std::string& dir, const std::vector<std::string>& classes,
                                 int64_t channels, int64_t side) {
  ImageSet set(channels, side, side);
  const auto files = files_by_class(dir, classes);
  for (size_t k = 0; k < files.size(); ++k) {
    for (const auto& file : files[k])
      append(set, file, static_cast<int64_t>(k));
  }
  return set;
}

std::pair<ImageSet, ImageSet> ImageFolderReader::read_split(const std::string& dir,
                                                            const std::vector<std::string>& classes,
                                                            int64_t channels, int64_t side,
                                                            double test_fraction, uint64_t seed) {
  ImageSet train(channels, side, side);
  ImageSet test(channels, side, side);
  const auto files = files_by_class(dir, classes);
  for (size_t k = 0; k < files.size(); ++k) {
    const auto n = static_cast<int64_t>(files[k].size());
    int64_t held = std::llround(test_fraction * static_cast<double>(n));
    if (n >= 2)
      held = std::clamp<int64_t>(held, 1, n - 1);
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      order[static_cast<size_t>(i)] = i;
    Rng rng = Rng::derive({seed, static_cast<uint64_t>(k)});
    rng.shuffle(order);
    std::vector<bool> in_test(static_cast<size_t>(n), false);
    for (int64_t i = 0; i < held; ++i)
      in_test[static_cast<size_t>(order[static_cast<size_t>(i)])] = true;
    for (int64_t i = 0; i < n; ++i)
      append(in_test[static_cast<size_t>(i)] ? test : train, files[k][static_cast<size_t>(i)],
             static_cast<int64_t>(k));
  }
  return {std::move(train), std::move(test)};
}

}  // namespace evostream::streams
