#pragma once

#include <memory>

#include "model/train/prefix_cache.hpp"
#include "model/train/train_job.hpp"
#include "model/train/trainer.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

class SimulationModel;

/// Trains candidates: the one interface every training goes through.
///
/// Two implementations, chosen once per run by `make`: LibTorch training (`Trainer`, with the
/// run's prefix cache) and the simulation model of simulated runs (`SimulationModel`, on
/// virtual time). The run's own strategy, its local trainer actors and remote workers all train
/// through it, so a candidate trains the same way wherever it runs.
class CandidateTrainer {
 public:
  virtual ~CandidateTrainer() = default;

  /// Trains `job` on `task.train`, validating on `task.validation`; `progress` is called after
  /// each validation (and may raise to stop the training).
  virtual TrainResult train(const TrainJob& job, const streams::TaskData& task,
                            const TrainProgress& progress = {}) const = 0;
  /// What `job` is expected to cost here, in FLOPs (simulated: virtual seconds scaled to FLOPs
  /// at the simulated speed); what a batch of jobs is dispatched by, longest first.
  virtual double estimated_flops(const TrainJob& job, const streams::TaskData& task) const = 0;
  /// Whether candidates train in simulation.
  virtual bool simulated() const = 0;

  /// The settings every job trains with (a job's `steps` overriding the steps).
  const TrainSettings& settings() const { return settings_; }
  /// The settings `job` trains with.
  TrainSettings settings_for(const TrainJob& job) const;

  /// LibTorch training with `settings` and `cache` when `simulation` is null, else the
  /// simulation model. A null `cache` gives the trainer a cache of its own.
  static std::shared_ptr<const CandidateTrainer> make(
      TrainSettings settings, std::shared_ptr<PrefixCache> cache = nullptr,
      std::shared_ptr<const SimulationModel> simulation = nullptr);

 protected:
  explicit CandidateTrainer(TrainSettings settings) : settings_(std::move(settings)) {}

 private:
  TrainSettings settings_;
};

}  // namespace evostream::model
