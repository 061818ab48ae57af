#include "model/strategies/recipe_visit.hpp"

namespace evostream::model {

RecipeVisit::RecipeVisit(std::unique_ptr<TaskLearner> inner,
                         std::shared_ptr<const Objective> objective, OptimizerOptions optimizer,
                         Finish finish)
    : inner_(std::move(inner)),
      objective_(std::move(objective)),
      optimizer_(optimizer),
      finish_(std::move(finish)) {}

RecipeVisit& RecipeVisit::train_on(std::shared_ptr<const streams::TaskData> data, int64_t steps,
                                   int64_t validation_interval) {
  data_ = std::move(data);
  steps_ = steps;
  validation_interval_ = validation_interval;
  return *this;
}

void RecipeVisit::name_in_recipe(Path& path) const {
  path.recipe.objective = objective_ ? objective_->name() : CrossEntropy().name();
  path.recipe.optimizer = optimizer_;
}

std::vector<Candidate> RecipeVisit::next() {
  auto batch = inner_->next();
  for (auto& c : batch) {
    c.objective = objective_;
    name_in_recipe(c.path);
    if (data_) {
      c.data = data_;
      c.steps = steps_;
      c.validation_interval = validation_interval_;
    }
  }
  return batch;
}

TaskOutcome RecipeVisit::finish() {
  TaskOutcome out = inner_->finish();
  name_in_recipe(out.path);
  if (finish_)
    finish_(out);
  return out;
}

}  // namespace evostream::model
