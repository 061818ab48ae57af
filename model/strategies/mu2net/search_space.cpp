#include "model/strategies/mu2net/search_space.hpp"

#include <algorithm>
#include <cmath>

namespace evostream::model {

SearchSpace::SearchSpace(const config::ArchitectureSpec& arch)
    : learning_rates_{1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1},
      warmup_ratios_{0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4},
      momenta_{0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99},
      adapter_dims_{8, 16, 32, 64, 128},
      crop_areas_{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0},
      colour_deltas_{0.0, 0.01, 0.02, 0.05, 0.1, 0.2},
      native_image_size_(arch.image_size) {
  // Multiples of the patch from about half to about 1.5 times the native grid.
  const int64_t grid = arch.image_size / arch.patch;
  for (int64_t g = std::max<int64_t>(1, grid / 2); g <= grid + (grid + 1) / 2; ++g)
    image_sizes_.push_back(static_cast<double>(g * arch.patch));
  for (int i = 0; i <= 10; ++i)
    mus_.push_back(0.10 + 0.02 * i);
}

double SearchSpace::neighbour(const std::vector<double>& values, double value, common::Rng& rng) {
  size_t at = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (std::abs(values[i] - value) < std::abs(values[at] - value))
      at = i;
  }
  const bool up = rng.bernoulli(0.5);
  if (up && at + 1 < values.size())
    ++at;
  else if (!up && at > 0)
    --at;
  return values[at];
}

int SearchSpace::mutate(Hyperparameters& hp, common::Rng& rng) const {
  int moved = 0;
  // µ goes first and its new value drives the other draws, as in µ2Net (keys in sorted order,
  // `_mu_` first).
  if (rng.bernoulli(hp.mu)) {
    hp.mu = neighbour(mus_, hp.mu, rng);
    ++moved;
  }
  const double mu = hp.mu;
  auto maybe = [&](double& value, const std::vector<double>& values) {
    if (rng.bernoulli(mu)) {
      value = neighbour(values, value, rng);
      ++moved;
    }
  };
  auto maybe_bool = [&](bool& value) {
    if (rng.bernoulli(mu)) {
      // A two-entry list: a neighbour move flips with probability 1/2, like the reference.
      value = neighbour({0.0, 1.0}, value ? 1.0 : 0.0, rng) > 0.5;
      ++moved;
    }
  };
  maybe(hp.train.learning_rate, learning_rates_);
  if (rng.bernoulli(mu)) {
    const std::vector<double> schedules{0.0, 1.0, 2.0};
    hp.train.schedule = static_cast<Schedule>(static_cast<int>(
        neighbour(schedules, static_cast<double>(static_cast<int>(hp.train.schedule)), rng)));
    ++moved;
  }
  maybe(hp.train.warmup_ratio, warmup_ratios_);
  maybe(hp.train.momentum, momenta_);
  maybe_bool(hp.train.nesterov);
  double adapter_dim = static_cast<double>(hp.adapter_dim);
  maybe(adapter_dim, adapter_dims_);
  hp.adapter_dim = static_cast<int64_t>(adapter_dim);
  double image_size =
      static_cast<double>(hp.train.image_size > 0 ? hp.train.image_size : native_image_size_);
  const double before = image_size;
  maybe(image_size, image_sizes_);
  if (image_size != before)
    hp.train.image_size = static_cast<int64_t>(image_size);
  maybe(hp.train.crop_area_min, crop_areas_);
  maybe_bool(hp.train.flip);
  maybe(hp.train.brightness, colour_deltas_);
  maybe(hp.train.contrast, colour_deltas_);
  return moved;
}

}  // namespace evostream::model
