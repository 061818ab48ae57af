#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evostream::testing {

/// A fresh temporary directory, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  /// The path of `name` inside the directory.
  std::string file(const std::string& name) const;

 private:
  std::string path_;
};

/// Writes `bytes` to `path`, gzip-compressed when `gzip`.
void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip = false);
/// Writes `text` to `path`.
void write_text(const std::string& path, const std::string& text);

/// An IDX image file's bytes: `count` images of rows × cols with seeded pixels.
std::vector<uint8_t> idx_image_bytes(uint32_t count, uint32_t rows, uint32_t cols, uint64_t seed);
/// An IDX label file's bytes.
std::vector<uint8_t> idx_label_bytes(const std::vector<uint8_t>& labels);
/// Writes a small MNIST-like dataset (the four standard file names, gzip'd) into `dir`: labels
/// cycle through 0..classes-1.
void write_idx_dataset(const std::string& dir, uint32_t train, uint32_t test, uint32_t classes,
                       uint32_t side = 28);

/// A version-1 `.npy` file's bytes: the header dictionary `dict` (as NumPy writes it, e.g.
/// `{'descr': '|u1', 'fortran_order': False, 'shape': (2, 4, 4), }`), padded as NumPy pads it,
/// then `data`.
std::vector<uint8_t> npy_bytes(const std::string& dict, const std::vector<uint8_t>& data);
/// A `.npy` file's bytes for a C-ordered array of type `descr` and `shape` holding `data`.
std::vector<uint8_t> npy_array_bytes(const std::string& descr, const std::vector<int64_t>& shape,
                                     const std::vector<uint8_t>& data);

/// A CIFAR binary batch's bytes: `count` records with labels cycling below `classes`;
/// `label_bytes` is 1 (CIFAR-10) or 2 (CIFAR-100).
std::vector<uint8_t> cifar_bytes(uint32_t count, int label_bytes, uint32_t classes, uint64_t seed);

/// The process's peak resident memory so far, in KiB (`getrusage`).
long peak_resident_kib();

/// The smallest valid scenario text over the synthetic dataset `syn`; `extra` is appended.
std::string minimal_scenario(const std::string& extra = "");

}  // namespace evostream::testing
