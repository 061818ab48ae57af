#include "support/test_files.hpp"

#include <sys/resource.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common/rng.hpp"

namespace evostream::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "evostream-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::file(const std::string& name) const {
  return (fs::path(path_) / name).string();
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    if (f == nullptr)
      throw std::runtime_error("cannot write " + path);
    if (!bytes.empty())
      gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

long peak_resident_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

namespace {

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(static_cast<uint8_t>(v >> s));
}

}  // namespace

std::vector<uint8_t> idx_image_bytes(uint32_t count, uint32_t rows, uint32_t cols, uint64_t seed) {
  std::vector<uint8_t> out;
  put_be32(out, 0x803);
  put_be32(out, count);
  put_be32(out, rows);
  put_be32(out, cols);
  common::Rng rng(seed);
  for (uint64_t i = 0; i < uint64_t{count} * rows * cols; ++i) {
    out.push_back(static_cast<uint8_t>(rng.uniform_int(256)));
  }
  return out;
}

std::vector<uint8_t> idx_label_bytes(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> out;
  put_be32(out, 0x801);
  put_be32(out, static_cast<uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

std::vector<uint8_t> npy_bytes(const std::string& dict, const std::vector<uint8_t>& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> npy_array_bytes(const std::string& descr, const std::vector<int64_t>& shape,
                                     const std::vector<uint8_t>& data) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 2);
  return npy_bytes("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }",
                   data);
}

void write_idx_dataset(const std::string& dir, uint32_t train, uint32_t test, uint32_t classes,
                       uint32_t side) {
  auto labels = [&](uint32_t n) {
    std::vector<uint8_t> l;
    for (uint32_t i = 0; i < n; ++i)
      l.push_back(static_cast<uint8_t>(i % classes));
    return l;
  };
  const fs::path d(dir);
  write_bytes((d / "train-images-idx3-ubyte.gz").string(), idx_image_bytes(train, side, side, 1),
              true);
  write_bytes((d / "train-labels-idx1-ubyte.gz").string(), idx_label_bytes(labels(train)), true);
  write_bytes((d / "t10k-images-idx3-ubyte.gz").string(), idx_image_bytes(test, side, side, 2),
              true);
  write_bytes((d / "t10k-labels-idx1-ubyte.gz").string(), idx_label_bytes(labels(test)), true);
}

std::vector<uint8_t> cifar_bytes(uint32_t count, int label_bytes, uint32_t classes, uint64_t seed) {
  std::vector<uint8_t> out;
  common::Rng rng(seed);
  for (uint32_t i = 0; i < count; ++i) {
    for (int b = 0; b < label_bytes; ++b)
      out.push_back(static_cast<uint8_t>(i % classes));
    for (int p = 0; p < 3072; ++p)
      out.push_back(static_cast<uint8_t>(rng.uniform_int(256)));
  }
  return out;
}

std::string minimal_scenario(const std::string& extra) {
  return R"(name = "mini"
seed = 7

[datasets.syn]
kind = "synthetic"
classes = 4
image_size = 8
train_per_class = 20
test_per_class = 5

[root]
architecture = { image_size = 8, patch = 2, dim = 16, depth = 1, heads = 2, mlp = 16 }
[root.pretrain]
name = "pre"
dataset = "syn"

[[tasks]]
name = "t1"
dataset = "syn"
)" + extra;
}

}  // namespace evostream::testing
