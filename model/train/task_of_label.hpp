#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace evostream::model {

/// The task of each class of a union of tasks: [classes] int64, from `offsets`, where each
/// task's classes start and their total at the end (`streams::TaskData::class_offsets`).
/// Undefined when `offsets` is empty (a single task). Raises `std::invalid_argument` unless the
/// offsets rise from 0.
at::Tensor task_of_label(const std::vector<int64_t>& offsets);

}  // namespace evostream::model
