#pragma once

#include <cstdint>
#include <vector>

#include "common/rng.hpp"

namespace evostream::model {

/// µ2Net's parent selection (`reference/munet_spec.md` §6), over indices so it is pure.
///
/// First the task's own population in descending score order, each accepted with probability
/// 0.5^(children it already had); then the seeds (best paths of other tasks and the root) in a
/// shuffled order, by the same rule; if none is accepted, a uniform draw over both.
class ParentSelection {
 public:
  /// Where the chosen parent comes from.
  enum class Source { kOwn, kSeed };
  /// The chosen parent: a population or seed index.
  struct Choice {
    Source source = Source::kSeed;
    size_t index = 0;
  };

  /// Chooses a parent. `own_scores[i]` and `own_offspring[i]` describe the task's own
  /// population (any order: it is sorted here, ties kept in the given order); `seed_offspring`
  /// counts the children each seed already had for this task. At least one path must exist.
  static Choice select(const std::vector<double>& own_scores,
                       const std::vector<int64_t>& own_offspring,
                       const std::vector<int64_t>& seed_offspring, common::Rng& rng);

  /// The probability of accepting a path that already had `offspring` children: 0.5^offspring.
  static double acceptance(int64_t offspring);
};

}  // namespace evostream::model
