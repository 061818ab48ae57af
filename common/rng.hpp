#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace evostream::common {

/// A small, portable, seedable random generator (xoshiro256**).
///
/// Unlike `std::mt19937` with `std::uniform_int_distribution`, every draw here is defined by this
/// code alone, so a seed gives the same sequence with every compiler and standard library. Seeds
/// are derived from tuples such as (run seed, task, iteration, generation, child index) with
/// `Rng::derive`, so no two random decisions share a stream by accident.
class Rng {
 public:
  /// Seeds the generator from one 64-bit value (expanded with SplitMix64).
  explicit Rng(uint64_t seed = 0);

  /// A generator seeded by a tuple of values: `Rng::derive({run_seed, task, generation})`.
  static Rng derive(std::initializer_list<uint64_t> parts);

  /// The next raw 64-bit value.
  uint64_t next_u64();
  /// A uniform integer in [0, bound), without modulo bias; `bound` must be > 0.
  uint64_t uniform_int(uint64_t bound);
  /// A uniform double in [0, 1) with 53 random bits.
  double uniform01();
  /// A standard normal draw (Box-Muller).
  double normal();
  /// True with probability `p`.
  bool bernoulli(double p) { return uniform01() < p; }

  /// Shuffles `values` in place (Fisher-Yates).
  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (size_t i = values.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(uniform_int(i));
      std::swap(values[i - 1], values[j]);
    }
  }

  /// The identity permutation of `n` elements, shuffled.
  std::vector<int64_t> permutation(int64_t n);

 private:
  uint64_t state_[4];
};

/// Mixes a 64-bit value (SplitMix64 finaliser); used to combine seed parts.
uint64_t mix64(uint64_t x);

}  // namespace evostream::common
