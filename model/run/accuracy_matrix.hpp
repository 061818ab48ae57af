#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace evostream::model {

/// One measured entry of a row of the accuracy matrix: a task's test accuracy.
struct MatrixEntry {
  int64_t task = 0;
  double accuracy = 0.0;
  bool operator==(const MatrixEntry& o) const { return task == o.task && accuracy == o.accuracy; }
};

/// The continual-learning accuracy matrix and the metrics derived from it.
///
/// Row i is the evaluation after the i-th learning event (a task visit); column j is task j of
/// the stream. `A[i][j]` is the test accuracy on task j after event i, defined once task j has
/// been learned. Formulas follow `reference/cl_frameworks.md` §3: Avalanche's forgetting
/// (accuracy right after the task was last learned minus now), BWT = −forgetting, and the
/// max-based forgetting of Chaudhry et al. (best accuracy on the task before the final event
/// minus now). Means are unweighted over tasks, as in Avalanche's stream metrics.
///
/// The matrix is sparse: a row holds the entries measured after its event, and a learned task
/// without one keeps the value it had in the row before (its serving path did not change, so
/// neither did its predictions). Memory grows with the entries measured, not with rows × tasks.
class AccuracyMatrix {
 public:
  /// A matrix over `tasks` (stream order), with no rows yet.
  explicit AccuracyMatrix(std::vector<std::string> tasks);

  /// Appends the row after learning task `learned`; `row[j]` is empty for tasks not learned
  /// yet (every value given counts as measured). Raises `std::invalid_argument` on a wrong
  /// size, an unknown column or a missing value for a learned task.
  void add_row(int64_t learned, const std::vector<std::optional<double>>& row);
  /// Appends the row after learning task `learned` from the entries measured after it; the
  /// learned task must be one of them. Raises `std::invalid_argument` otherwise, or on an
  /// unknown task.
  void add_entries(int64_t learned, std::vector<MatrixEntry> entries);

  const std::vector<std::string>& tasks() const { return tasks_; }
  size_t rows() const { return rows_.size(); }
  /// A[i][j] (measured in row i or carried from an earlier row), or empty.
  std::optional<double> at(size_t row, size_t task) const;
  /// Row i in full, one value per task.
  std::vector<std::optional<double>> row(size_t row) const;
  /// The entries measured after event `row`.
  const std::vector<MatrixEntry>& entries(size_t row) const { return rows_.at(row); }
  /// The task learned by event `row`.
  int64_t learned(size_t row) const { return learned_[row]; }

  /// Mean of the defined entries of `row` (0 when none): a row's average accuracy.
  static double row_mean(const std::vector<std::optional<double>>& row);
  /// Mean accuracy over the tasks learned by row `row` (the last row when empty).
  double average_accuracy(std::optional<size_t> row = {}) const;
  /// Per task, A[last][k] − A[r(k)][k], where r(k) is the last event that learned k before the
  /// final one; empty for the task learned last and tasks never learned before it.
  std::vector<std::optional<double>> task_bwt() const;
  /// Mean of `task_bwt` over the tasks that have one (0 when none).
  double bwt() const;
  /// Avalanche's forgetting: −BWT per task.
  std::vector<std::optional<double>> task_forgetting() const;
  /// Mean Avalanche forgetting (= −BWT).
  double forgetting() const;
  /// Max-based forgetting per task: max over rows r(first k)..last−1 of A[l][k], minus A[last][k].
  std::vector<std::optional<double>> task_max_forgetting() const;
  /// Mean max-based forgetting.
  double max_forgetting() const;

 private:
  std::vector<std::string> tasks_;
  std::vector<int64_t> learned_;
  std::vector<std::vector<MatrixEntry>> rows_;
  // Per task: (row, accuracy) of every entry measured, in row order.
  std::vector<std::vector<std::pair<size_t, double>>> history_;
};

}  // namespace evostream::model
