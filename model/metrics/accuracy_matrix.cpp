#include "model/metrics/accuracy_matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace evostream::model {

namespace {

double mean_of(const std::vector<std::optional<double>>& values) {
  double sum = 0.0;
  int64_t n = 0;
  for (const auto& v : values) {
    if (v) {
      sum += *v;
      ++n;
    }
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace

double AccuracyMatrix::row_mean(const std::vector<std::optional<double>>& row) {
  return mean_of(row);
}

AccuracyMatrix::AccuracyMatrix(std::vector<std::string> tasks) : tasks_(std::move(tasks)) {}

void AccuracyMatrix::add_row(int64_t learned, std::vector<std::optional<double>> row) {
  if (row.size() != tasks_.size()) {
    throw std::invalid_argument(
        fmt::format("accuracy matrix: row has {} entries, expected {}", row.size(), tasks_.size()));
  }
  if (learned < 0 || static_cast<size_t>(learned) >= tasks_.size())
    throw std::invalid_argument(fmt::format("accuracy matrix: no task {}", learned));
  if (!row[static_cast<size_t>(learned)]) {
    throw std::invalid_argument(
        fmt::format("accuracy matrix: no accuracy for {}, the task just learned", tasks_[learned]));
  }
  learned_.push_back(learned);
  rows_.push_back(std::move(row));
}

std::optional<double> AccuracyMatrix::at(size_t row, size_t task) const {
  return rows_.at(row).at(task);
}

double AccuracyMatrix::average_accuracy(std::optional<size_t> row) const {
  if (rows_.empty())
    return 0.0;
  return mean_of(rows_.at(row.value_or(rows_.size() - 1)));
}

std::vector<std::optional<double>> AccuracyMatrix::task_bwt() const {
  std::vector<std::optional<double>> out(tasks_.size());
  if (rows_.size() < 2)
    return out;
  const size_t last = rows_.size() - 1;
  for (size_t k = 0; k < tasks_.size(); ++k) {
    // The last event before the final one that learned k (Avalanche overwrites its "initial"
    // accuracy on every evaluation while training k).
    std::optional<size_t> r;
    for (size_t i = 0; i < last; ++i) {
      if (learned_[i] == static_cast<int64_t>(k))
        r = i;
    }
    if (!r || learned_[last] == static_cast<int64_t>(k) || !rows_[last][k])
      continue;
    out[k] = *rows_[last][k] - *rows_[*r][k];
  }
  return out;
}

double AccuracyMatrix::bwt() const {
  return mean_of(task_bwt());
}

std::vector<std::optional<double>> AccuracyMatrix::task_forgetting() const {
  auto out = task_bwt();
  for (auto& v : out) {
    if (v)
      *v = -*v;
  }
  return out;
}

double AccuracyMatrix::forgetting() const {
  return mean_of(task_forgetting());
}

std::vector<std::optional<double>> AccuracyMatrix::task_max_forgetting() const {
  std::vector<std::optional<double>> out(tasks_.size());
  if (rows_.size() < 2)
    return out;
  const size_t last = rows_.size() - 1;
  for (size_t k = 0; k < tasks_.size(); ++k) {
    if (learned_[last] == static_cast<int64_t>(k) || !rows_[last][k])
      continue;
    std::optional<double> best;
    for (size_t l = 0; l < last; ++l) {
      if (rows_[l][k])
        best = std::max(best.value_or(*rows_[l][k]), *rows_[l][k]);
    }
    if (best)
      out[k] = *best - *rows_[last][k];
  }
  return out;
}

double AccuracyMatrix::max_forgetting() const {
  return mean_of(task_max_forgetting());
}

}  // namespace evostream::model
