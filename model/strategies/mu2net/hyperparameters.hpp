#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "model/train/train_recipe.hpp"

namespace evostream::model {

/// A µ2Net path's hyperparameters, its "DNA" tuned by evolution: the recipe it trains with and
/// µ2Net's two values of its own, which its recipe carries as extras (`kAdapterDimExtra`,
/// `kMuExtra`).
struct Hyperparameters {
  /// The learning rate, schedule, momentum, image size and augmentation it trains with.
  /// Default: `TrainRecipe`'s.
  TrainRecipe train;
  /// Hidden width of adapters inserted by this path. Default: 32.
  int64_t adapter_dim = 32;
  /// Mutation probability µ of this path's children (µ2Net's self-tuned `_mu_`). Default: 0.2.
  double mu = 0.2;

  /// The names the two values take among a recipe's extras.
  static constexpr const char* kAdapterDimExtra = "adapter_dim";
  static constexpr const char* kMuExtra = "mu";

  /// The recipe a path with these hyperparameters trains with: `train` plus `adapter_dim` and
  /// `mu` as extras.
  TrainRecipe recipe() const {
    TrainRecipe r = train;
    r.set_extra(kAdapterDimExtra, static_cast<double>(adapter_dim), true);
    r.set_extra(kMuExtra, mu);
    return r;
  }
  /// The hyperparameters of a path that trains with `recipe`: µ2Net's two extras become
  /// `adapter_dim` and `mu` (one it lacks keeps its default), any other stays in `train`.
  static Hyperparameters of(const TrainRecipe& recipe) {
    Hyperparameters hp;
    hp.train = recipe;
    auto& extras = hp.train.extras;
    extras.erase(std::remove_if(extras.begin(), extras.end(),
                                [](const RecipeExtra& e) {
                                  return e.name == kAdapterDimExtra || e.name == kMuExtra;
                                }),
                 extras.end());
    if (const auto d = recipe.extra(kAdapterDimExtra))
      hp.adapter_dim = std::llround(*d);
    if (const auto m = recipe.extra(kMuExtra))
      hp.mu = *m;
    return hp;
  }
};

}  // namespace evostream::model
