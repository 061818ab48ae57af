#pragma once

#include <array>

namespace evostream::model {

/// Settings of the optimizer that trains a candidate's unfrozen components.
struct OptimizerOptions {
  /// The update rule.
  enum class Kind {
    kSgd,    ///< SGD with (optionally Nesterov) momentum, no weight decay (as in µ2Net)
    kAdamW,  ///< AdamW, used to train the root from scratch
  };
  /// Default: SGD.
  Kind kind = Kind::kSgd;
  /// SGD momentum; 0 disables it. Default: 0.9.
  double momentum = 0.9;
  /// Nesterov momentum for SGD. Default: false.
  bool nesterov = false;
  /// AdamW decoupled weight decay. Default: 0.05.
  double weight_decay = 0.05;
  /// Gradients are clipped to this global L2 norm; 0 disables clipping. Default: 1.0.
  double clip_norm = 1.0;
  /// AdamW: start each component from the moments and step count it carries
  /// (`Component::second_moment`) and leave the new ones on it, so that training continues
  /// across candidates (Avalanche keeps one optimizer for a stream). SGD's momentum trace is
  /// carried whatever this says. Default: false.
  bool carry_state = false;

  friend bool operator==(const OptimizerOptions& a, const OptimizerOptions& b) {
    return a.kind == b.kind && a.momentum == b.momentum && a.nesterov == b.nesterov &&
           a.weight_decay == b.weight_decay && a.clip_norm == b.clip_norm &&
           a.carry_state == b.carry_state;
  }
};

/// The names of the update rules, indexed by `OptimizerOptions::Kind`, as results.json writes
/// them.
inline constexpr std::array<const char*, 2> kOptimizerKindNames = {"sgd", "adamw"};

}  // namespace evostream::model
