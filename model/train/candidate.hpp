#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/core/component.hpp"
#include "model/core/path.hpp"
#include "model/train/optimizer.hpp"
#include "model/train/training_curve.hpp"

namespace evostream::streams {
struct TaskData;
}

namespace evostream::model {

class Objective;

/// A candidate ready to train: its path, its components (frozen ones from the store or its
/// parent, trainable fresh copies) and the seed of its training. Every strategy proposes these.
struct Candidate {
  Path path;
  std::vector<std::shared_ptr<const Component>> components;
  uint64_t training_seed = 0;
  int64_t generation = 0;
  int64_t child = 0;
  /// The parent's score and whether the parent serves the same task (acceptance rule).
  double parent_score = 0.0;
  bool parent_same_task = false;
  int64_t mutations = 0;
  /// What the mutations changed, readable (µ2Net: `ChildPlan::changes`); empty for others.
  std::vector<std::string> changes;
  /// Training steps; 0 means the strategy's steps per candidate.
  int64_t steps = 0;
  /// Validate every this many steps; 0 means the strategy's `validation_interval`.
  int64_t validation_interval = 0;
  /// Where its steps lie in a learning-rate schedule longer than they are
  /// (`TrainSettings::schedule_offset`, `schedule_steps`); 0 and 0: a schedule of its own.
  int64_t schedule_offset = 0;
  int64_t schedule_steps = 0;
  /// What its training minimises; null is cross-entropy. Its path's recipe names it
  /// (`TrainRecipe::objective`).
  std::shared_ptr<const Objective> objective;
  /// What it trains and validates on instead of the visit's task (`joint`: the union of the
  /// stream's tasks); none trains on the task. Such a candidate trains on the run's own
  /// trainers only.
  std::shared_ptr<const streams::TaskData> data;
};

/// What happened to one candidate.
struct CandidateRecord {
  std::string name;
  std::string parent;
  int64_t generation = 0;
  int64_t child = 0;
  double quality = 0.0;
  double score = 0.0;
  bool kept = false;
  int64_t mutations = 0;
  /// What its mutations changed (`Candidate::changes`).
  std::vector<std::string> changes;
  /// Parameters it trained.
  int64_t trained_params = 0;
  double seconds = 0.0;
  /// How it trained: its validations and its loss with the objective's terms over stretches of
  /// steps (`TrainResult::validations` and `losses`).
  TrainingCurve curve;
};

}  // namespace evostream::model
