#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/strategy_options.hpp"

namespace evostream::model {

/// How a strategy that fine-tunes one shared backbone trains it: the keys every such strategy
/// (`sequential`, `ewc`, `lwf`, `replay`) reads from its `[strategy.NAME]` table.
///
/// The defaults are those of every baseline (SGD with momentum, cosine schedule); Avalanche's
/// usual setting is `optimizer = "adam"`, `learning_rate = 0.001`, `schedule = "flat"`,
/// `clip_norm = 0` (as `configs/split-fmnist.toml` sets).
class SharedBackboneOptions : public StrategyOptions {
 public:
  /// Key `optimizer`: "sgd" (with `momentum`) or "adam" (with `weight_decay`, decoupled as in
  /// AdamW; 0 is plain Adam). Default: "sgd".
  std::string optimizer = "sgd";
  /// Key `learning_rate`: the peak learning rate. Default: 0.01.
  double learning_rate = 0.01;
  /// Key `schedule`: "cosine" (warmup, then cosine decay), "flat" (the learning rate
  /// throughout), "constant" (half of it, as µ2Net's notebooks) or "restarts". Default: "cosine".
  std::string schedule = "cosine";
  /// Key `warmup_ratio`: share of the steps spent warming up (cosine, restarts). Default: 0.1.
  double warmup_ratio = 0.1;
  /// Key `momentum`: SGD momentum; 0 disables it. Default: 0.9.
  double momentum = 0.9;
  /// Key `weight_decay`: Adam's decoupled weight decay. Default: 0.
  double weight_decay = 0.0;
  /// Key `clip_norm`: gradients are clipped to this global L2 norm; 0 disables clipping.
  /// Default: 1.
  double clip_norm = 1.0;
  /// Key `carry_optimizer`: Adam's moments and step counts carry over from one task to the
  /// next with the components that carry them (each backbone clone continues from its
  /// parent's), as Avalanche keeps one optimizer for a stream; a fresh head starts from zero.
  /// SGD's momentum trace carries over whatever this says. Default: false.
  bool carry_optimizer = false;
  /// Key `head_init`: how a task's fresh head starts: "zeros", or "uniform" (weight and bias
  /// uniform in ±1/√dim from the visit's seed, as PyTorch's `nn.Linear`). Default: "zeros".
  std::string head_init = "zeros";

  /// Reads a table of these keys alone.
  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  /// Reads these keys into this object, for a strategy whose table has more (it calls
  /// `r.finish()` itself).
  void read_shared(config::OptionReader& r);

  VisitPlan plan() const override { return {1, 1}; }
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
