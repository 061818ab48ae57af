#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace evostream::model {

/// Named parts of one training step's loss, beside the loss itself: what an objective reports
/// through `LossInputs::terms`, e.g. {"cross-entropy": 0.41, "mutual information": 0.07}.
using LossTerms = std::map<std::string, double>;

/// One validation during training.
struct ValidationPoint {
  /// Training steps done when it was measured.
  int64_t step = 0;
  /// Accuracy on the validation images.
  double accuracy = 0.0;
  /// Mean training loss since the previous validation.
  double loss = 0.0;
};

/// The training loss over a stretch of steps.
struct LossPoint {
  /// Training steps done at the stretch's end.
  int64_t step = 0;
  /// The mean loss over the stretch.
  double loss = 0.0;
  /// The objective's terms, each its mean over the stretch; empty when the objective reports
  /// none (plain cross-entropy).
  LossTerms terms;
};

/// How one candidate trained: what a trainer measured as it went.
struct TrainingCurve {
  /// Every validation, in order.
  std::vector<ValidationPoint> validations;
  /// The loss over consecutive stretches of about a twentieth of the steps
  /// (`kLossPoints`), in order; empty from simulated training.
  std::vector<LossPoint> losses;

  /// Stretches the loss of a training is logged over, at most.
  static constexpr int64_t kLossPoints = 20;
};

}  // namespace evostream::model
