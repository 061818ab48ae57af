#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "model/nn/model_function.hpp"
#include "streams/image_set.hpp"

namespace evostream::model {

/// How much a task's path uses each expert of each of its MoE blocks, measured on its images.
///
/// What a committed Mod-Squad task keeps (`expert_usage` components, on no path): the mean
/// router probabilities P(e | t), which later tasks' MI term reads, and the share of the
/// top-k selections each expert received (summing to 1), by which `extract` keeps experts.
struct ExpertUsage {
  /// Per MoE block: P(e | t), [experts].
  std::vector<at::Tensor> probability;
  /// Per MoE block: the share of selections, [experts].
  std::vector<at::Tensor> selected;

  /// Runs `f` without autograd on the first `limit` images of `set` (all when fewer) in
  /// batches of `batch` and averages what it routed over every token.
  static ExpertUsage measure(const ModelFunction& f, const streams::ImageSet& set, int64_t limit,
                             int64_t batch = 256);
};

}  // namespace evostream::model
