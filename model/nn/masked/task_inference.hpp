#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// Which learned task a batch of unlabelled images comes from, on the masked-fc family
/// (SupSup's task inference, `reference/impress_modsquad_spec.md` §1.3).
///
/// Every learned task's layers are superimposed with coefficients α, `Σ_t α_t E_t` where E_t
/// is the task's effective weights (W ⊙ M_t for SupSup, W ⊙ Σ_i α^t_i M_i for ImpressLearn);
/// from α uniform over the candidates, the gradient of the batch's mean output entropy with
/// respect to α points at the task: one-shot takes the candidate of lowest gradient, binary
/// keeps the lower half of the candidates and repeats until one is left. The entropy method
/// runs every task's own path on the batch instead and takes the task of lowest mean output
/// entropy (one forward pass per task).
class TaskInference {
 public:
  /// How a batch's task is chosen.
  enum class Method { kOneShot, kBinary, kEntropy };
  /// The method called `name` ("oneshot", "binary", "entropy").
  static Method method_named(const std::string& name);

  /// `paths`: each learned task's serving path, components in path order, all frozen; their
  /// heads must have equal rows. Raises `std::invalid_argument` otherwise.
  explicit TaskInference(const std::vector<std::vector<const Component*>>& paths);

  /// The position in `paths` of the task `images` (N × C × H × W, floats in [0, 1]) come from.
  int64_t infer(const at::Tensor& images, Method method) const;
  /// The logits of path `task` on `images`, exactly as its own forward pass computes them.
  at::Tensor logits(int64_t task, const at::Tensor& images) const;
  /// Number of candidate tasks.
  int64_t tasks() const { return tasks_; }

 private:
  int64_t tasks_ = 0;
  /// Per layer: every task's effective weights, [tasks, rows, cols].
  std::vector<at::Tensor> stacked_;
};

}  // namespace evostream::model
