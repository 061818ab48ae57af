#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "config/scenario.hpp"
#include "model/core/component.hpp"

namespace evostream::model {

/// Creates freshly initialised ViT components, seeded and bit-reproducible.
///
/// Initial values are drawn from the project's own generator (`common::Rng`), not from
/// LibTorch's, so the same seed gives the same bytes with any LibTorch build. Initialisation
/// follows the ViT reference: Xavier-uniform linear kernels, zero biases, LeCun-normal patch
/// kernel, N(0, 0.02) position embedding, zero class token, zero head (or PyTorch's uniform one,
/// on request); adapters have a zero output kernel so that an inserted adapter is the identity.
class VitFactory {
 public:
  /// All components of a root model for `arch` with a head of `classes` outputs, owned by
  /// `owner` (ids `OWNER/patch_embedding`, `OWNER/block0`, ...), in path order.
  static std::vector<Component> root(const config::ArchitectureSpec& arch, int64_t classes,
                                     const std::string& owner, uint64_t seed);
  /// One transformer block (index `index`) of `arch`.
  static Component block(const std::string& id, const std::string& owner, int64_t index,
                         const config::ArchitectureSpec& arch, uint64_t seed);
  /// A residual adapter before block `index`: LN → Dense(adapter_dim) → GELU → Dense(dim).
  static Component adapter(const std::string& id, const std::string& owner, int64_t index,
                           int64_t dim, int64_t adapter_dim, uint64_t seed);
  /// A Xavier-uniform kernel of a dense layer, stored as [out, in] (LibTorch's linear layout).
  static at::Tensor xavier(int64_t out, int64_t in, common::Rng& rng);
  /// A classification head of `dim` inputs: zero-initialised, or, given `uniform_seed`, with
  /// weight and bias drawn from that seed uniformly in ±1/√dim (PyTorch's `nn.Linear` default).
  static Component head(const std::string& id, const std::string& owner, int64_t dim,
                        int64_t classes, std::optional<uint64_t> uniform_seed = std::nullopt);
};

}  // namespace evostream::model
