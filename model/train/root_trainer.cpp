#include "model/train/root_trainer.hpp"

#include <algorithm>
#include <memory>

#include "model/nn/model_family.hpp"

namespace evostream::model {

RootTrainer::RootTrainer(config::RootSpec spec, int64_t threads, std::string device)
    : spec_(std::move(spec)), threads_(threads), device_(std::move(device)) {}

std::vector<Component> RootTrainer::train(const streams::TaskData& task, uint64_t seed,
                                          const TrainProgress& progress,
                                          TrainResult* result) const {
  const auto family = ModelFamily::of(spec_.architecture);
  const auto path = share(family->root(spec_.architecture, task.num_classes, seed));
  TrainSettings settings;
  settings.steps = spec_.steps;
  settings.batch_size = spec_.batch_size;
  settings.validation_interval = std::max<int64_t>(1, spec_.steps / 10);
  settings.family = family;
  settings.threads = threads_;
  settings.device = device_;
  settings.optimizer.kind = OptimizerOptions::Kind::kAdamW;
  TrainRecipe recipe;
  recipe.learning_rate = spec_.learning_rate;
  recipe.schedule = Schedule::kCosine;
  recipe.warmup_ratio = 0.05;
  recipe.image_size = spec_.architecture.image_size;
  TrainResult r = Trainer(settings).train(path, recipe, task, seed, progress);
  std::vector<Component> out = std::move(r.trained);
  if (result != nullptr)
    *result = std::move(r);
  return out;
}

}  // namespace evostream::model
