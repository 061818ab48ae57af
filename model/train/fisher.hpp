#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "model/core/component.hpp"
#include "model/nn/model_family.hpp"
#include "streams/image_set.hpp"

namespace evostream::model {

/// The diagonal empirical Fisher information of a path on a set of images, as EWC weighs its
/// penalty (Avalanche's importances).
///
/// The images go through the path in order, in minibatches of `batch_size` (the last one
/// partial), without augmentation; each minibatch's mean cross-entropy is differentiated and
/// its squared gradient accumulated; the sum is divided by the number of minibatches. Returns
/// one tensor per tensor of each component, in path order, on the CPU.
std::vector<std::vector<at::Tensor>> diagonal_fisher(
    const std::vector<std::shared_ptr<const Component>>& path, const streams::ImageSet& set,
    int64_t batch_size, const ModelFamily& family, int64_t image_size = 0);

}  // namespace evostream::model
