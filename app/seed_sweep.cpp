#include "app/seed_sweep.hpp"

#include <fmt/format.h>

#include <iostream>

#include "app/compare_command.hpp"
#include "config/scenario_parser.hpp"

namespace evostream::app {

int SeedSweep::run(ProgressView& view, std::ostream& out) const {
  std::string base = options_.out;
  if (base.empty()) {
    const config::Scenario s = config::ScenarioParser::parse_file(options_.scenario, options_.sets);
    base = "runs/" + s.name + (options_.strategy.empty() ? "" : "-" + options_.strategy) + "-seeds";
  }
  std::vector<std::string> dirs;
  for (const uint64_t seed : seeds_) {
    RunOptions one = options_;
    one.seed = seed;
    one.out = fmt::format("{}/seed-{}", base, seed);
    RunEvents events(view);
    events.message(
        fmt::format("seed {} of the sweep ({} of {})", seed, dirs.size() + 1, seeds_.size()));
    const int status = RunCommand(one).run(events);
    events.close();
    if (status != 0)
      return status;
    dirs.push_back(one.out);
  }
  out << "\n";
  return CompareCommand(dirs).run(out, std::cerr);
}

}  // namespace evostream::app
