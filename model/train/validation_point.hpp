#pragma once

#include <cstdint>
#include <map>
#include <string>

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
  /// The objective's terms, each its mean since the previous validation; empty when the
  /// objective reports none (plain cross-entropy).
  LossTerms terms;
};

}  // namespace evostream::model
