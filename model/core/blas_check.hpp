#pragma once

#include <string>

namespace evostream::model {

/// What the start-up check found out about the BLAS that LibTorch runs on.
struct BlasReport {
  /// The BLAS shared library mapped into this process (empty when none was found).
  std::string library;
  /// True when `library` is an optimised BLAS (OpenBLAS, BLIS, MKL).
  bool optimised = false;
  /// Measured fp32 matrix-multiply speed, in GFLOP/s (median of a few 512 × 512 products).
  double gflops = 0.0;

  /// A one-line summary, e.g. `BLAS: /usr/lib/.../openblas-pthread/libblas.so.3 (92 GFLOP/s)`.
  std::string summary() const;
  /// A warning naming libopenblas0-pthread when the BLAS is not optimised; empty otherwise.
  std::string warning() const;
};

/// Checks which BLAS LibTorch runs on and how fast a matrix multiply is.
///
/// Reference BLAS makes everything 20–35× slower; this check lets the program warn at start-up.
class BlasCheck {
 public:
  /// Runs the check: a few small matrix products (about 10 ms) and a look at the mapped libraries.
  static BlasReport run();
  /// Classifies a library path: true for OpenBLAS, BLIS and MKL.
  static bool is_optimised(const std::string& library_path);
  /// Sets the BLAS library's own thread pool to `threads` (OpenBLAS's pthread build and BLIS
  /// keep one besides LibTorch's): without it two single-threaded trainers on two cores each
  /// start BLAS threads of their own and run slower together than one alone. Process-wide;
  /// returns false when the library has no such setting.
  static bool set_threads(int threads);
};

}  // namespace evostream::model
