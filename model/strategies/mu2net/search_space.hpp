#pragma once

#include <cstdint>
#include <vector>

#include "common/rng.hpp"
#include "config/scenario.hpp"
#include "model/strategies/mu2net/hyperparameters.hpp"

namespace evostream::model {

/// The values each hyperparameter of a path can take, and µ2Net's neighbour moves among them.
///
/// The lists follow muNet's auto-tune space (`reference/munet_spec.md` §3) with two changes for
/// this scale: image sizes are multiples of the root's patch around its native size (instead of
/// 16..384), and "no momentum" is 0 (the notebooks' `None` crashes). µ takes µ2Net's
/// 0.10–0.30 in steps of 0.02.
class SearchSpace {
 public:
  /// The space for paths grown from a root of architecture `arch`.
  explicit SearchSpace(const config::ArchitectureSpec& arch);

  /// Moves `value` to a neighbouring entry of `values`: one index up or down with equal chance,
  /// clipped at the ends (so at an end, half the moves stay put). A value not in the list first
  /// snaps to its nearest entry.
  static double neighbour(const std::vector<double>& values, double value, common::Rng& rng);

  /// Mutates µ itself (with probability `hp.mu`), then every other key with probability of the
  /// new µ, in a fixed key order so the same generator gives the same child. Returns the number
  /// of keys that moved.
  int mutate(Hyperparameters& hp, common::Rng& rng) const;

  const std::vector<double>& learning_rates() const { return learning_rates_; }
  const std::vector<double>& warmup_ratios() const { return warmup_ratios_; }
  const std::vector<double>& momenta() const { return momenta_; }
  const std::vector<double>& adapter_dims() const { return adapter_dims_; }
  const std::vector<double>& image_sizes() const { return image_sizes_; }
  const std::vector<double>& crop_areas() const { return crop_areas_; }
  const std::vector<double>& colour_deltas() const { return colour_deltas_; }
  const std::vector<double>& mus() const { return mus_; }
  /// The root's own image side: what `image_size = 0` means.
  int64_t native_image_size() const { return native_image_size_; }

 private:
  std::vector<double> learning_rates_;
  std::vector<double> warmup_ratios_;
  std::vector<double> momenta_;
  std::vector<double> adapter_dims_;
  std::vector<double> image_sizes_;
  std::vector<double> crop_areas_;
  std::vector<double> colour_deltas_;
  std::vector<double> mus_;
  int64_t native_image_size_;
};

}  // namespace evostream::model
