#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/nn/masked/masked_factory.hpp"
#include "model/train/trainer.hpp"
#include "model_fixtures.hpp"

namespace evostream::testing {

/// The root's layers, each followed by a frozen packed mask drawn from `seed` (half kept); the
/// head's mask has `classes` rows.
inline std::vector<model::Component> masked_path(const std::vector<model::Component>& root,
                                                 uint64_t seed, int64_t classes = 4) {
  std::vector<model::Component> out;
  for (size_t l = 0; l < root.size(); ++l) {
    const auto shape = model::MaskedFactory::layer_shape(root[l]);
    const int64_t rows = l + 1 == root.size() ? classes : shape[0];
    out.push_back(root[l]);
    out.push_back(model::MaskedFactory::random_mask("t/mask" + std::to_string(l), "t",
                                                    static_cast<int64_t>(l), rows, shape[1],
                                                    rows * shape[1] / 2, seed + l));
    out.back().freeze();
  }
  return out;
}

/// The frozen root `root`, each layer followed by trainable scores keeping half its weights
/// (drawn from seeds 40, 41, ...).
inline std::vector<std::shared_ptr<const model::Component>> trainable_masked_path(
    std::vector<model::Component> root) {
  for (auto& c : root)
    c.freeze();
  const auto frozen = model::share(std::move(root));
  std::vector<std::shared_ptr<const model::Component>> path;
  for (size_t l = 0; l < frozen.size(); ++l) {
    const auto shape = model::MaskedFactory::layer_shape(*frozen[l]);
    path.push_back(frozen[l]);
    path.push_back(std::make_shared<const model::Component>(
        model::MaskedFactory::scores("t/mask" + std::to_string(l), "t", static_cast<int64_t>(l),
                                     shape[0], shape[1], shape[0] * shape[1] / 2, 40 + l)));
  }
  return path;
}

/// Settings that train masks of `family` with AdamW (no decay, no clipping): 120 steps of 16,
/// validated every 40.
inline model::TrainSettings mask_training(std::shared_ptr<const model::ModelFamily> family) {
  model::TrainSettings s = micro_settings(120, 16, 40);
  s.family = std::move(family);
  s.optimizer.kind = model::OptimizerOptions::Kind::kAdamW;
  s.optimizer.weight_decay = 0.0;
  s.optimizer.clip_norm = 0.0;
  return s;
}

}  // namespace evostream::testing
