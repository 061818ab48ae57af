#pragma once

#include <cstdint>
#include <vector>

#include "config/scenario.hpp"
#include "streams/dataset.hpp"
#include "streams/dataset_registry.hpp"
#include "streams/task_data.hpp"

namespace evostream::streams {

/// Builds tasks from their specs: loads the dataset, applies the transforms, carves the splits.
///
/// Every random choice (subsampling, few-shot, validation) draws from a generator derived from
/// the scenario seed and the task's name, so the same scenario and seed give the same bytes, and
/// a task does not change when other tasks are added to the stream.
class TaskBuilder {
 public:
  explicit TaskBuilder(const config::Scenario& scenario);

  /// Builds one task from `spec` (a stream task or the root's pretraining task) and checks that
  /// the model can take its images (`check_model_input`).
  TaskData build(const config::TaskSpec& spec);
  /// Builds every task of the stream, in arrival order; in a simulated scenario, only
  /// describes them (`describe`).
  std::vector<TaskData> build_all();
  /// A task without images: its spec, classes and class names (what simulated trainers need).
  /// Generated tasks have `[simulation] classes` classes.
  TaskData describe(const config::TaskSpec& spec) const;

  /// Refuses, with a `DataError` naming `file`, the task and its line, images the model of
  /// architecture `a` cannot take: non-square, or smaller than a patch. (The scenario parser
  /// already refuses a dataset of another channel count.)
  static void check_model_input(const TaskData& t, const config::ArchitectureSpec& a,
                                const std::string& file);

  /// Builds `spec` from an already loaded dataset with the given seed.
  static TaskData build(const config::TaskSpec& spec, const Dataset& dataset, uint64_t seed);

  /// Applies the input transforms of `spec` (resize, rotation, pixel permutation, inversion,
  /// in that order) to each of `sets`, which must share one image shape: what a task's splits
  /// undergo after they are carved, and what images classified for the task undergo.
  static void transform_inputs(const config::TaskSpec& spec, const std::vector<ImageSet*>& sets);

 private:
  const config::Scenario& scenario_;
  DatasetRegistry registry_;
};

}  // namespace evostream::streams
