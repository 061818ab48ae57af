#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/run/run_progress.hpp"
#include "model/strategies/strategy.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// Measures the rows of the accuracy matrix: after a commit, the test accuracy of the tasks
/// whose serving path changed, checking each task's predictions against those it had at its
/// commit, and the running average over every task learned so far.
class MatrixEvaluator {
 public:
  /// A task's test accuracy through `path` and a hash of its predictions (simulated when the
  /// strategy's environment simulates).
  struct Scored {
    double accuracy = 0.0;
    std::string predictions_hash;
  };
  static Scored evaluate(const RunState& state, const Path& path, const streams::TaskData& task,
                         const Strategy& strategy);

  /// Sizes the running values for `tasks` tasks, keeping those it has (a stream only grows).
  void prepare(size_t tasks);
  /// Takes the running values from a restored run's rows.
  void restore(const RunProgress& progress);

  /// Evaluates task `j` with its serving path in `state`: updates its account in
  /// `progress.tasks` (accuracy, prediction hash, and either its committed hash when it is
  /// `learned` or the check against that hash), appends the entry to `step` and updates the
  /// average.
  void measure(const RunState& state, const Strategy& strategy,
               const std::vector<streams::TaskData>& tasks, size_t j, size_t learned,
               RunProgress& progress, ProgressStep& step);

  /// The mean of the latest accuracies of the tasks learned so far (0 before the first).
  double average() const;

 private:
  std::vector<std::optional<double>> current_;
  double current_sum_ = 0.0;
  int64_t current_count_ = 0;
};

}  // namespace evostream::model
