#pragma once

#include <cstdint>
#include <string>

#include "config/scenario.hpp"

namespace evostream::model {

/// Settings of `evostream bench trainer`.
struct TrainerBenchOptions {
  /// Which components train.
  enum class Trainable {
    kAll,  ///< every component (training from scratch)
    kTop,  ///< the top block, an adapter before it and a new head over a frozen rest
    /// SupSup: one supermask per layer of the masked-fc 784-300-300-10 net (edge-popup,
    /// half the weights kept), Adam
    kMasks,
    /// ImpressLearn: 10 coefficients per layer of the same net over 10 frozen impressions, Adam
    kCoefficients,
  };
  /// Default: all.
  Trainable trainable = Trainable::kAll;
  /// Architecture. Default: vit-tiny (28 × 28, patch 4, dim 64, depth 4, 4 heads, MLP 128).
  config::ArchitectureSpec arch;
  /// Batch size. Default: 128.
  int64_t batch_size = 128;
  /// Timed training steps per repetition. Default: 40.
  int64_t steps = 40;
  /// Repetitions; the median is reported. Default: 3.
  int64_t repetitions = 3;
  /// Torch intra-op threads. Default: 1.
  int64_t threads = 1;
  /// Fashion-MNIST directory; synthetic 28 × 28 data is used when it is missing.
  std::string fashion_mnist_dir;
  /// Reuse the frozen prefix's activations across steps and candidates (`top` only: `all` has
  /// no frozen prefix). Default: true.
  bool prefix_cache = true;
};

/// What `evostream bench trainer` measured.
struct TrainerBenchResult {
  std::string trainable;
  std::string data;
  int64_t batch_size = 0;
  int64_t steps = 0;
  int64_t repetitions = 0;
  int64_t threads = 0;
  /// Median training images per second (training steps only; validation excluded).
  double images_per_second = 0.0;
  /// Every repetition's images per second.
  std::vector<double> samples;
  /// Nominal FLOPs per training image: forward of the whole path plus twice the forward of the
  /// part that gradients flow through (what any implementation of the same step must do).
  double flops_per_image = 0.0;
  /// Achieved nominal GFLOP/s, the machine's fp32 GEMM peak measured in the same run
  /// (1024 × 1024 products), and their ratio.
  double achieved_gflops = 0.0;
  double peak_gflops = 0.0;
  double utilisation = 0.0;
  /// Whether the frozen prefix came from the cache, and the one-off seconds spent filling it
  /// (once per task and prefix, shared by every candidate with that prefix; not in the figures
  /// above).
  bool prefix_cache = false;
  double prefix_cache_seconds = 0.0;
  /// Sanity of the measured work: the last repetition's mean training loss and validation
  /// accuracy (finite and falling means the benchmark trained for real).
  double final_loss = 0.0;
  double validation_accuracy = 0.0;

  /// One JSON object.
  std::string json() const;
  /// A few readable lines.
  std::string text() const;
};

/// Measures the trainer's speed on vit-tiny at batch 128 for `all` or `top` training.
class TrainerBenchmark {
 public:
  static TrainerBenchResult run(const TrainerBenchOptions& options);
  /// fp32 GEMM speed at 1024 × 1024 through LibTorch, GFLOP/s (median of 5).
  static double gemm_peak_gflops();
};

}  // namespace evostream::model
