#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/train/candidate.hpp"
#include "model/train/objective.hpp"
#include "model/train/optimizer.hpp"
#include "model/train/train_recipe.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// What one training of a candidate needs, wherever it runs: the components in path order
/// (the unfrozen ones train), the recipe, the seed and the steps.
///
/// Local trainers receive it with shared handles to the components; a remote one receives it
/// encoded (`actors::BlobCodec`).
struct TrainJob {
  /// The candidate's components in forward order; frozen ones are read, never written.
  std::vector<std::shared_ptr<const Component>> components;
  /// How the path trains.
  TrainRecipe recipe;
  /// Every random draw of the training (batch order, augmentation) comes from it.
  uint64_t seed = 0;
  /// Training steps; 0 trains the trainer's `TrainSettings::steps`.
  int64_t steps = 0;
  /// Validate every this many steps; 0 keeps the trainer's `TrainSettings::validation_interval`.
  int64_t validation_interval = 0;
  /// Steps of the learning-rate schedule behind this job and the schedule's length
  /// (`TrainSettings::schedule_offset`, `schedule_steps`); 0 and 0: a schedule of its own.
  int64_t schedule_offset = 0;
  int64_t schedule_steps = 0;
  /// What the training minimises; null is cross-entropy.
  std::shared_ptr<const Objective> objective;
  /// The data it trains on instead of the task it is given (`Candidate::data`); none trains on
  /// that task. Never sent to a remote trainer.
  std::shared_ptr<const streams::TaskData> data;

  /// The job that trains `candidate`; raises `std::logic_error` when its objective is not the
  /// one its recipe names.
  static TrainJob of(const Candidate& candidate) {
    const std::string trains = candidate.objective ? candidate.objective->name() : "cross-entropy";
    if (trains != candidate.path.recipe.objective) {
      throw std::logic_error("candidate " + candidate.path.name + " trains with objective \"" +
                             trains + "\" but its recipe names \"" +
                             candidate.path.recipe.objective + "\"");
    }
    return {candidate.components,     candidate.path.recipe,         candidate.training_seed,
            candidate.steps,          candidate.validation_interval, candidate.schedule_offset,
            candidate.schedule_steps, candidate.objective,           candidate.data};
  }
  /// What the job trains on when handed `task`: its own data, or `task`.
  const streams::TaskData& data_or(const streams::TaskData& task) const {
    return data ? *data : task;
  }
};

}  // namespace evostream::model
