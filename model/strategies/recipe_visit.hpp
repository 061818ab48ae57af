#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "model/strategies/strategy.hpp"
#include "model/train/objective.hpp"
#include "model/train/optimizer.hpp"

namespace evostream::model {

/// A task visit whose candidates train with the strategy's objective and optimizer: another
/// learner's candidates (e.g. `Strategy::train_once`'s), each given `objective` and
/// `optimizer`, and its outcome passed through `finish` before it is committed (to add what the
/// strategy commits beside the path, or to put components in their committed form), and
/// possibly trained on other data for another number of steps (`train_on`).
class RecipeVisit : public TaskLearner {
 public:
  using Finish = std::function<void(TaskOutcome&)>;
  RecipeVisit(std::unique_ptr<TaskLearner> inner, std::shared_ptr<const Objective> objective,
              OptimizerOptions optimizer, Finish finish = nullptr);

  /// Trains every candidate on `data` (`Candidate::data`) instead of the task, for `steps`
  /// steps, validating every `validation_interval` steps (0 for either: the run's); returns
  /// this visit.
  RecipeVisit& train_on(std::shared_ptr<const streams::TaskData> data, int64_t steps,
                        int64_t validation_interval);

  std::vector<Candidate> next() override;
  CandidateRecord record(const Candidate& c, const TrainResult& r) override {
    return inner_->record(c, r);
  }
  TaskOutcome finish() override;

 private:
  /// Writes the objective's name and the optimizer into `path`'s recipe.
  void name_in_recipe(Path& path) const;

  std::unique_ptr<TaskLearner> inner_;
  std::shared_ptr<const Objective> objective_;
  OptimizerOptions optimizer_;
  Finish finish_;
  std::shared_ptr<const streams::TaskData> data_;
  int64_t steps_ = 0;
  int64_t validation_interval_ = 0;
};

}  // namespace evostream::model
