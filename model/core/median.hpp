#pragma once

#include <algorithm>
#include <vector>

namespace evostream::model {

/// The median of `values` (the mean of the middle two for an even count); 0 for none. What the
/// benchmarks report of their repetitions.
inline double median(std::vector<double> values) {
  if (values.empty())
    return 0.0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace evostream::model
