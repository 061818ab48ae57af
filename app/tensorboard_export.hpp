#pragma once

#include <string>

namespace evostream::app {

/// Writes `run_dir/tensorboard/events.out.tfevents.0.evostream`, a TensorBoard event file of
/// the run's scalars read from its `events.jsonl` (`report::TensorBoardFile`), replacing an
/// earlier one; returns its path.
///
/// Tags: `root/validation_accuracy` and `root/loss` (by root training step); `average_accuracy` and
/// `test_accuracy/TASK` (by task visits committed: each task's test accuracy as measured after
/// each commit); and for the committed candidate of each task visit, by its training step,
/// `training/TASK/validation_accuracy`, `training/TASK/loss` and `training/TASK/TERM` for each
/// term of its loss. Wall times are the events' own (a run started before events recorded its
/// start time has them from 0). Lines cut by a crash, or that are not JSON objects, are left
/// out; a run without events gives a file of no scalars.
std::string write_tensorboard(const std::string& run_dir);

}  // namespace evostream::app
