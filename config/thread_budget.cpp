#include "config/thread_budget.hpp"

#include <fmt/format.h>
#include <sched.h>

#include "common/config_error.hpp"

namespace evostream::config {

using common::ConfigError;

int64_t available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    return 1;
  return std::max(1, CPU_COUNT(&set));
}

std::string check_thread_budget(const TrainerSpec& trainers, int64_t cores,
                                const std::string& file) {
  if (trainers.kind == TrainerSpec::Kind::kSimulated)
    return "";
  if (trainers.threads > cores) {
    throw ConfigError(file, 0, "trainers.threads",
                      fmt::format("expected at most {} (the cores this machine gives the "
                                  "process), found {}",
                                  cores, trainers.threads));
  }
  const int64_t total = trainers.count * trainers.threads;
  if (total > cores) {
    return fmt::format(
        "{} trainer(s) × {} thread(s) = {} threads on {} core(s): they will take "
        "turns, each slower",
        trainers.count, trainers.threads, total, cores);
  }
  return "";
}

}  // namespace evostream::config
