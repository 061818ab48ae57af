#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace evostream::model {

/// What a forward pass routed through each mixture-of-experts layer it ran, in block order.
///
/// Auxiliary losses (Mod-Squad's mutual information between tasks and experts) and usage
/// statistics read it; families without routers record none.
struct Routing {
  /// Per layer: the router's softmax probabilities summed over the pass's tokens, [experts];
  /// differentiable when the pass was.
  std::vector<at::Tensor> probability_sums;
  /// Per layer: how many tokens had each expert among their top k, [experts] (int64).
  std::vector<at::Tensor> selections;
  /// Per layer: the tokens routed.
  std::vector<int64_t> tokens;
  /// Per layer, for a pass of a joint model over examples of several tasks: each task's
  /// probabilities summed over its tokens, [tasks, experts] (differentiable), and its tokens,
  /// [tasks] (int64). Empty for a pass of one task.
  std::vector<at::Tensor> task_probability_sums;
  std::vector<at::Tensor> task_tokens;

  void clear() {
    probability_sums.clear();
    selections.clear();
    tokens.clear();
    task_probability_sums.clear();
    task_tokens.clear();
  }
};

}  // namespace evostream::model
