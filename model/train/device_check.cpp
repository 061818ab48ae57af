#include "model/train/device_check.hpp"

#include <ATen/Context.h>
#include <fmt/format.h>

#include <stdexcept>

namespace evostream::model {

void check_device(const std::string& device, const std::string& where) {
  if (device.rfind("cuda", 0) == 0 && !at::hasCUDA()) {
    throw std::invalid_argument(fmt::format(
        "{}: expected a device this LibTorch can train on (\"cpu\": it has no CUDA support, or "
        "no GPU is visible), found \"{}\"",
        where, device));
  }
}

}  // namespace evostream::model
