#pragma once

#include <cstdint>

namespace evostream::model::simd {

/// Sixteen floats as one GCC vector: one zmm register in an AVX-512 clone, two ymm in AVX2,
/// four xmm otherwise. Kernels built with `target_clones` use it for explicit register blocking
/// without intrinsics.
using Vec = float __attribute__((vector_size(64)));

/// Floats per `Vec`.
constexpr int64_t kLanes = 16;

/// Loads 16 floats from `p` (no alignment needed).
inline Vec load(const float* p) {
  Vec v;
  __builtin_memcpy(&v, p, sizeof(Vec));
  return v;
}

/// Stores 16 floats to `p` (no alignment needed).
inline void store(float* p, Vec v) {
  __builtin_memcpy(p, &v, sizeof(Vec));
}

/// The sum of a vector's lanes.
inline float lane_sum(Vec v) {
  float s = 0.0f;
  for (int i = 0; i < kLanes; ++i)
    s += v[i];
  return s;
}

}  // namespace evostream::model::simd
