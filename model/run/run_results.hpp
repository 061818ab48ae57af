#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/core/path.hpp"
#include "model/run/accuracy_matrix.hpp"

namespace evostream::model {

/// The final account of one task of a run.
struct TaskResult {
  std::string name;
  int64_t classes = 0;
  /// Test accuracy at the end of the run (the matrix's last row).
  double test_accuracy = 0.0;
  /// Test accuracy right after the task was last learned.
  double accuracy_after_learning = 0.0;
  /// Validation accuracy (quality) of its committed path.
  double validation_accuracy = 0.0;
  /// Score of its committed path.
  double score = 0.0;
  /// Parameters charged to it at the end: each component split among the tasks using it.
  double accounted_params = 0.0;
  /// Parameters of the components it added to the store.
  int64_t params_added = 0;
  /// Parameters its serving path runs through.
  int64_t path_params = 0;
  /// Of those, the ones one token's forward pass multiplies with (`ModelFamily::active_params`:
  /// a mixture of experts counts the top k experts of each block).
  int64_t active_params = 0;
  /// Forward FLOPs per example of its serving path.
  double inference_flops = 0.0;
  /// Seconds spent training its candidates, over all its visits.
  double train_seconds = 0.0;
  /// Candidates trained for it, over all its visits.
  int64_t candidates = 0;
  /// Its serving path at the end.
  Path path;
  /// Whether every later evaluation reproduced the predictions it had when it was committed.
  bool predictions_identical = true;
  /// A hash of its final test predictions.
  std::string predictions_hash;
  /// Avalanche forgetting and max-based forgetting; empty for the task learned last.
  std::optional<double> forgetting;
  std::optional<double> max_forgetting;
  /// Without task labels (`[evaluation] task_labels = false`): the share of the task's test
  /// batches whose task was inferred correctly, and its test accuracy when each batch is
  /// predicted by the inferred task's path.
  std::optional<double> task_inference_accuracy;
  std::optional<double> inferred_accuracy;
  /// ImpressLearn's coefficients of the task's path, per layer (one α per impression); empty
  /// for other paths.
  std::vector<std::vector<double>> coefficients;
  /// Mod-Squad: per MoE layer of the task's path, the share of the task's top-k selections
  /// each expert received (measured on its training images when it committed; each row sums
  /// to 1); empty for other paths.
  std::vector<std::vector<double>> expert_usage;
  /// Mod-Squad: per MoE layer of `expert_usage`, what it mixes: "attention" or "mlp".
  std::vector<std::string> expert_layers;
};

/// Everything a run measured.
struct RunResults {
  std::string scenario;
  std::string strategy;
  uint64_t seed = 1;
  std::vector<TaskResult> tasks;
  AccuracyMatrix matrix{{}};
  double average_accuracy = 0.0;
  double bwt = 0.0;
  double forgetting = 0.0;
  double max_forgetting = 0.0;
  /// Without task labels: the mean over the learned tasks of their task-inference accuracy and
  /// of their accuracy with the inferred task.
  std::optional<double> task_inference_accuracy;
  std::optional<double> inferred_average_accuracy;
  /// Parameters of the root without its head (the score's normaliser).
  double root_params = 0.0;
  /// Parameters needed to serve every task now (the union of the serving paths).
  int64_t total_params = 0;
  /// Parameters in the store (every committed component, root included).
  int64_t store_params = 0;
  /// Mean accounted parameters per task.
  double params_per_task = 0.0;
  /// The store's content hash at the end.
  std::string store_hash;
  /// `run_state_hash` at the end; filled in by the caller that runs the stream (empty
  /// otherwise).
  std::string state_hash;
  double wall_seconds = 0.0;
  double train_seconds = 0.0;
  double evaluation_seconds = 0.0;
  /// Of the process that produced these results: seconds and bytes of snapshot writes (done
  /// alongside, by the snapshotter), wall seconds of its stream loop, and what of that was
  /// neither training nor evaluation (messaging, the store, bookkeeping). Filled in by the
  /// caller that writes snapshots; 0 otherwise.
  double snapshot_seconds = 0.0;
  int64_t snapshot_bytes = 0;
  double stream_seconds = 0.0;
  double orchestration_seconds = 0.0;
  /// Task visits committed, and how many the scenario asks for.
  int64_t events_done = 0;
  int64_t events_total = 0;
  /// False when the run stopped early (interrupted); the results cover what was committed.
  bool complete = false;
  /// Whether candidates trained in simulation: accuracies come from the simulation model and
  /// training seconds are virtual.
  bool simulated = false;
  /// Whether the strategy learned the whole stream at once at its first visit
  /// (`Strategy::offline`): the multi-task upper bound, not a continual result.
  bool offline = false;
  /// Simulated runs through the actors: virtual seconds from the first task visit of this
  /// process to its last commit, with the run's trainers (`VirtualSchedule`); 0 otherwise.
  double virtual_seconds = 0.0;
};

}  // namespace evostream::model
