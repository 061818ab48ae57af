#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

#include "model/core/component.hpp"

namespace evostream::model {

/// What one mixture of experts computed, and what its router chose.
struct MixtureOutput {
  /// The mixture's output, [tokens, dim] (the attention mixture's: [N, queries, dim]).
  at::Tensor y;
  /// The probabilities summed over the tokens, [experts] (differentiable).
  at::Tensor probability_sum;
  /// How many tokens chose each expert, [experts] (int64).
  at::Tensor selections;
  /// With tokens of several tasks: each task's probabilities summed over its tokens, [tasks,
  /// experts] (differentiable), and its tokens, [tasks] (int64); undefined otherwise.
  at::Tensor task_probability_sum;
  at::Tensor task_tokens;
};

/// How one task's router sends tokens to its experts (Mod-Squad's task gating), shared by the
/// MLP and the attention mixtures.
///
/// Each token's router probabilities are `p = softmax(W_router x) + 1e-4`; the token uses its
/// top k experts (ties go to the lower expert: a stable sort, so every build picks the same),
/// with the gates `p_e` not renormalised. The (token, choice) rows are put in expert order, so
/// that each expert runs once on all its rows, never in a loop over tokens. A router that
/// holds `kept` (an extracted model's, `ExpertExtraction`) has a row per expert of the whole
/// model: the softmax runs over all of them and the experts here are the kept rows, so their
/// gates are the whole model's and a token's top k is taken among them.
class ExpertRouting {
 public:
  /// Routes the tokens `x` ([tokens, dim]) over `experts` experts under `router`.
  /// `token_tasks`, when defined, holds each token's task ([tokens] int64 in [0, `tasks`)) for
  /// a joint model's router, whose rows are the tasks' routers one after another: a token is
  /// routed by its own task's rows.
  ExpertRouting(const at::Tensor& x, const Component& router, int64_t experts,
                const at::Tensor& token_tasks = {}, int64_t tasks = 1);

  /// Experts each token uses.
  int64_t top_k() const { return k_; }
  /// Of each (token, choice) row in expert order, the token: [tokens × k] (int64).
  const at::Tensor& token() const { return token_; }
  /// The (token, choice) rows (token × k + choice) in expert order: [tokens × k] (int64).
  const at::Tensor& order() const { return order_; }
  /// The gates of the rows in expert order, [tokens × k, 1] (differentiable).
  at::Tensor ordered_gates() const;
  /// `f(e, rows)` for each expert e that has rows, on its rows of `ordered` ([tokens × k, ...]
  /// in expert order), the results concatenated in expert order.
  at::Tensor per_expert(const at::Tensor& ordered,
                        const std::function<at::Tensor(int64_t, const at::Tensor&)>& f) const;
  /// The summary of the routing around the mixture's output `y`.
  MixtureOutput output(at::Tensor y) const;

 private:
  int64_t experts_;
  int64_t k_;
  int64_t tasks_;
  at::Tensor token_tasks_;
  at::Tensor p_;       // [tokens, experts]
  at::Tensor gates_;   // [tokens × k], in (token, choice) order
  at::Tensor order_;   // (token, choice) rows in expert order
  at::Tensor token_;   // order / k
  at::Tensor counts_;  // [experts] int64, on the CPU
};

}  // namespace evostream::model
