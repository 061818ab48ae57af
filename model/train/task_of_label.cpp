#include "model/train/task_of_label.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace evostream::model {

at::Tensor task_of_label(const std::vector<int64_t>& offsets) {
  if (offsets.empty())
    return {};
  bool valid = offsets.size() >= 2 && offsets.front() == 0;
  for (size_t t = 1; valid && t < offsets.size(); ++t)
    valid = offsets[t] > offsets[t - 1];
  if (!valid) {
    throw std::invalid_argument(
        fmt::format("expected class offsets rising from 0, one per task and the total, found [{}]",
                    fmt::join(offsets, ", ")));
  }
  at::Tensor out = at::empty({offsets.back()}, at::kLong);
  for (size_t t = 0; t + 1 < offsets.size(); ++t)
    out.narrow(0, offsets[t], offsets[t + 1] - offsets[t]).fill_(static_cast<int64_t>(t));
  return out;
}

}  // namespace evostream::model
