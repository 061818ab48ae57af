#include "model/strategies/mu2net/parent_selection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace evostream::model {

double ParentSelection::acceptance(int64_t offspring) {
  return std::pow(0.5, static_cast<double>(offspring));
}

ParentSelection::Choice ParentSelection::select(const std::vector<double>& own_scores,
                                                const std::vector<int64_t>& own_offspring,
                                                const std::vector<int64_t>& seed_offspring,
                                                common::Rng& rng) {
  if (own_scores.size() != own_offspring.size())
    throw std::invalid_argument("parent selection: one offspring count per own path expected");
  if (own_scores.empty() && seed_offspring.empty())
    throw std::invalid_argument("parent selection: no path to choose from");
  std::vector<size_t> own(own_scores.size());
  std::iota(own.begin(), own.end(), size_t{0});
  std::stable_sort(own.begin(), own.end(),
                   [&](size_t a, size_t b) { return own_scores[a] > own_scores[b]; });
  for (size_t i : own) {
    if (rng.bernoulli(acceptance(own_offspring[i])))
      return {Source::kOwn, i};
  }
  std::vector<size_t> seeds(seed_offspring.size());
  std::iota(seeds.begin(), seeds.end(), size_t{0});
  rng.shuffle(seeds);
  for (size_t i : seeds) {
    if (rng.bernoulli(acceptance(seed_offspring[i])))
      return {Source::kSeed, i};
  }
  const size_t pick = static_cast<size_t>(rng.uniform_int(own.size() + seeds.size()));
  if (pick < own.size())
    return {Source::kOwn, pick};
  return {Source::kSeed, pick - own.size()};
}

}  // namespace evostream::model
