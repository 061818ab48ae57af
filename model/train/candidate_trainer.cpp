#include "model/train/candidate_trainer.hpp"

#include "model/train/simulation_model.hpp"

namespace evostream::model {

namespace {

std::vector<const Component*> pointers_of(const TrainJob& job) {
  std::vector<const Component*> out;
  out.reserve(job.components.size());
  for (const auto& c : job.components)
    out.push_back(c.get());
  return out;
}

// LibTorch training, the frozen prefixes shared through one cache.
class TorchCandidateTrainer : public CandidateTrainer {
 public:
  TorchCandidateTrainer(TrainSettings settings, std::shared_ptr<PrefixCache> cache)
      : CandidateTrainer(std::move(settings)), cache_(std::move(cache)) {}

  TrainResult train(const TrainJob& job, const streams::TaskData& task,
                    const TrainProgress& progress) const override {
    return Trainer(settings_for(job), cache_)
        .train(job.components, job.recipe, job.data_or(task), job.seed, progress,
               job.objective.get());
  }

  double estimated_flops(const TrainJob& job, const streams::TaskData& task) const override {
    return Trainer(settings(), cache_)
        .estimated_flops(pointers_of(job), job.recipe, job.data_or(task), job.steps);
  }

  bool simulated() const override { return false; }

 private:
  std::shared_ptr<PrefixCache> cache_;
};

// The cost and quality model of simulated runs.
class SimulatedCandidateTrainer : public CandidateTrainer {
 public:
  SimulatedCandidateTrainer(TrainSettings settings, std::shared_ptr<const SimulationModel> model)
      : CandidateTrainer(std::move(settings)), model_(std::move(model)) {}

  TrainResult train(const TrainJob& job, const streams::TaskData& task,
                    const TrainProgress& progress) const override {
    return model_->train(job.components, job.recipe, job.data_or(task), job.seed, settings_for(job),
                         progress);
  }

  double estimated_flops(const TrainJob& job, const streams::TaskData&) const override {
    return model_->cost(pointers_of(job), job.recipe, settings_for(job)) *
           model_->spec().flops_per_second;
  }

  bool simulated() const override { return true; }

 private:
  std::shared_ptr<const SimulationModel> model_;
};

}  // namespace

TrainSettings CandidateTrainer::settings_for(const TrainJob& job) const {
  TrainSettings s = settings_;
  if (job.steps > 0)
    s.steps = job.steps;
  if (job.validation_interval > 0)
    s.validation_interval = job.validation_interval;
  s.schedule_offset = job.schedule_offset;
  s.schedule_steps = job.schedule_steps;
  if (job.recipe.optimizer)
    s.optimizer = *job.recipe.optimizer;
  return s;
}

std::shared_ptr<const CandidateTrainer> CandidateTrainer::make(
    TrainSettings settings, std::shared_ptr<PrefixCache> cache,
    std::shared_ptr<const SimulationModel> simulation) {
  if (simulation)
    return std::make_shared<const SimulatedCandidateTrainer>(std::move(settings),
                                                             std::move(simulation));
  if (!cache)
    cache = std::make_shared<PrefixCache>();
  return std::make_shared<const TorchCandidateTrainer>(std::move(settings), std::move(cache));
}

}  // namespace evostream::model
