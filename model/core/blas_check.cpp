#include "model/core/blas_check.hpp"

#include <ATen/ATen.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

namespace evostream::model {

namespace {

// The BLAS library mapped into this process, from /proc/self/maps (Linux).
std::string mapped_blas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  std::string fallback;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos)
      continue;
    const std::string path = line.substr(slash);
    const std::string file = path.substr(path.rfind('/') + 1);
    if (file.rfind("libblas", 0) == 0 || file.rfind("libopenblas", 0) == 0 ||
        file.rfind("libmkl_rt", 0) == 0 || file.rfind("libblis", 0) == 0) {
      if (BlasCheck::is_optimised(path))
        return path;
      fallback = path;
    }
  }
  return fallback;
}

}  // namespace

bool BlasCheck::is_optimised(const std::string& library_path) {
  std::string p = library_path;
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
  return p.find("openblas") != std::string::npos || p.find("blis") != std::string::npos ||
         p.find("mkl") != std::string::npos;
}

BlasReport BlasCheck::run() {
  constexpr int64_t n = 512;
  at::Tensor a = at::rand({n, n});
  at::Tensor b = at::rand({n, n});
  at::Tensor c = at::mm(a, b);  // loads and warms up the BLAS
  std::vector<double> seconds;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    at::mm_out(c, a, b);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + 2, seconds.end());
  BlasReport r;
  r.gflops = 2.0 * n * n * n / std::max(seconds[2], 1e-9) / 1e9;
  r.library = mapped_blas();
  r.optimised = is_optimised(r.library);
  return r;
}

std::string BlasReport::summary() const {
  return fmt::format("BLAS: {} ({:.0f} GFLOP/s fp32 at 512×512){}",
                     library.empty() ? "none found" : library, gflops,
                     optimised ? "" : " — not an optimised BLAS");
}

std::string BlasReport::warning() const {
  if (optimised)
    return "";
  return fmt::format(
      "warning: LibTorch runs on {} ({:.0f} GFLOP/s); training will be 20-35x "
      "slower than with OpenBLAS. Install it: apt-get install libopenblas0-pthread "
      "(or scripts/install-deps).",
      library.empty() ? "an unknown BLAS" : library, gflops);
}

bool BlasCheck::set_threads(int threads) {
  using SetThreads = void (*)(int);
  // Looked up once in whatever BLAS the process loaded (libblas.so.3 may be OpenBLAS or BLIS).
  static const SetThreads set = [] {
    for (const char* name : {"openblas_set_num_threads", "bli_thread_set_num_threads"}) {
      if (void* f = dlsym(RTLD_DEFAULT, name))
        return reinterpret_cast<SetThreads>(f);
    }
    return static_cast<SetThreads>(nullptr);
  }();
  if (set == nullptr)
    return false;
  set(std::max(1, threads));
  return true;
}

}  // namespace evostream::model
