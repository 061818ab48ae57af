#pragma once

#include <string>

namespace evostream::model {

/// Refuses a device this LibTorch cannot train on, before any work starts: "cuda:K" on a build
/// without CUDA support, or with no GPU visible. Raises `std::invalid_argument` naming `where`
/// (the scenario file and key, or the option) and what was found. "cpu" always passes.
void check_device(const std::string& device, const std::string& where);

}  // namespace evostream::model
