#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"

namespace evostream::model {

/// Creates and reads the masked families' components: random layers, supermasks and
/// ImpressLearn's coefficients.
///
/// - A random layer (`random_linear`, index l) holds only `seed` (int64 [1]) and `shape`
///   (int64 [2], out × in): its weights are the signed Kaiming constant `±√2/√in` (SupSup's
///   `signed_constant`), each sign one bit of the project's generator seeded by `seed`, so they
///   regenerate bit-identically anywhere and nothing of them is stored.
/// - A supermask (`mask`, index l) trains as `scores` (float [rows, in]) with `keep` (int64 [1]):
///   the k weights of largest |score| are kept (edge-popup's top-k), or, with k = 0, those of
///   non-negative score (SupSup's threshold variant). Committed, it is `bits` (uint8, one bit
///   per weight, row-major, least significant bit first) and `shape` (int64 [2]).
/// - Coefficients (`alpha`, index l) are ImpressLearn's `alpha` (float [K]), one per basis mask
///   of their layer.
///
/// A mask of the last (head) layer may have fewer rows than the random head: a task with k
/// classes uses the head's first k outputs.
class MaskedFactory {
 public:
  /// The root: one random layer per hidden width of `arch` and the head's (`arch.classes`
  /// outputs), owned by `root`, seeded from `seed`, in path order.
  static std::vector<Component> root(const config::ArchitectureSpec& arch, uint64_t seed);
  /// Random layer `index` of a root drawn from the run seed `seed`: `rows` × `cols` weights,
  /// owned by `root`, its own seed derived from `seed` and `index`.
  static Component random_layer(int64_t index, int64_t rows, int64_t cols, uint64_t seed);
  /// A random layer's weights, [out, in], on the CPU.
  static at::Tensor weights(const Component& random_layer);

  /// A trainable supermask of `rows` × `cols` weights keeping `keep` of them (0: threshold at
  /// zero), its scores drawn from `seed` as edge-popup initialises them (Kaiming uniform,
  /// a = √5: U(−1/√cols, 1/√cols)).
  static Component scores(const std::string& id, const std::string& owner, int64_t index,
                          int64_t rows, int64_t cols, int64_t keep, uint64_t seed);
  /// A random supermask of `rows` × `cols` weights, `keep` of them kept, drawn from `seed`, as
  /// committed (ImpressLearn's random impressions).
  static Component random_mask(const std::string& id, const std::string& owner, int64_t index,
                               int64_t rows, int64_t cols, int64_t keep, uint64_t seed);
  /// ImpressLearn's coefficients over `k` basis masks, each 1/k.
  static Component alpha(const std::string& id, const std::string& owner, int64_t index, int64_t k);

  /// The binary mask (floats 0 and 1, [rows, cols]) of a mask component, trained or packed.
  static at::Tensor mask_of(const Component& mask);
  /// The committed form of a mask: the same identity with `bits` and `shape`; a packed mask
  /// is returned as it is.
  static Component packed(const Component& mask);
  /// Whether a mask component is packed (committed form) rather than scores.
  static bool is_packed(const Component& mask);
  /// The shape [rows, cols] of a mask component.
  static std::vector<int64_t> shape_of(const Component& mask);
  /// The shape [out, in] of a random layer. Shapes read from a file are checked: two positive
  /// int64 of at most 2^31 weights, else `std::invalid_argument` naming the component.
  static std::vector<int64_t> layer_shape(const Component& random_layer);
  /// The weights a trainable mask keeps (0: those of non-negative score).
  static int64_t kept(const Component& mask);
};

}  // namespace evostream::model
