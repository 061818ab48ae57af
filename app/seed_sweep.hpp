#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "app/run_command.hpp"
#include "app/run_events.hpp"

namespace evostream::app {

/// `evostream run SCENARIO --seeds 1,2,3`: the same run once per seed, each into
/// `OUT/seed-N`, then the runs compared with their mean ± std (`CompareCommand`).
///
/// `OUT` is `--out`, or `runs/<scenario name>[-<strategy>]-seeds`. Runs go one after another
/// and report to the same progress view; the sweep stops at the first run that does not end
/// well (an error, or Ctrl-C: its status is returned).
class SeedSweep {
 public:
  SeedSweep(RunOptions options, std::vector<uint64_t> seeds)
      : options_(std::move(options)), seeds_(std::move(seeds)) {}
  /// Runs every seed, reporting to `view`, then prints the comparison to `out`.
  int run(ProgressView& view, std::ostream& out) const;

 private:
  RunOptions options_;
  std::vector<uint64_t> seeds_;
};

}  // namespace evostream::app
