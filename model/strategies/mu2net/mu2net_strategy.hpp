#pragma once

#include <map>
#include <string>

#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// µ2Net: each task evolves its path from the other tasks' paths and the root (`Evolver`),
/// training generations × children candidates (`Mu2NetOptions`), each for an equal share of the
/// per-task budget, and commits the best.
class Mu2NetStrategy : public Strategy {
 public:
  explicit Mu2NetStrategy(StrategyEnvironment env);
  std::string name() const override { return "mu2net"; }
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;
  /// Children per parent path, keyed `task` + '\n' + `path name`.
  std::map<std::string, int64_t> counters() const override;
  std::map<std::string, int64_t> counters(const std::string& task) const override;
  void restore_counters(const std::map<std::string, int64_t>& counters) override;

 private:
  SearchSpace space_;
  /// Children per path name, per task; kept across task iterations as in the reference.
  std::map<std::string, std::map<std::string, int64_t>> offspring_;
};

}  // namespace evostream::model
