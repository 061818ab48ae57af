#include "model/run/accuracy_matrix.hpp"

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

AccuracyMatrix::AccuracyMatrix(std::vector<std::string> tasks)
    : tasks_(std::move(tasks)), history_(tasks_.size()) {}

void AccuracyMatrix::add_row(int64_t learned, const std::vector<std::optional<double>>& row) {
  if (row.size() != tasks_.size()) {
    throw std::invalid_argument(
        fmt::format("accuracy matrix: row has {} entries, expected {}", row.size(), tasks_.size()));
  }
  std::vector<MatrixEntry> entries;
  for (size_t j = 0; j < row.size(); ++j) {
    if (row[j])
      entries.push_back({static_cast<int64_t>(j), *row[j]});
  }
  add_entries(learned, std::move(entries));
}

void AccuracyMatrix::add_entries(int64_t learned, std::vector<MatrixEntry> entries) {
  if (learned < 0 || static_cast<size_t>(learned) >= tasks_.size())
    throw std::invalid_argument(fmt::format("accuracy matrix: no task {}", learned));
  bool has_learned = false;
  for (const auto& e : entries) {
    if (e.task < 0 || static_cast<size_t>(e.task) >= tasks_.size())
      throw std::invalid_argument(fmt::format("accuracy matrix: no task {}", e.task));
    has_learned = has_learned || e.task == learned;
  }
  if (!has_learned) {
    throw std::invalid_argument(
        fmt::format("accuracy matrix: no accuracy for {}, the task just learned", tasks_[learned]));
  }
  const size_t row = rows_.size();
  for (const auto& e : entries)
    history_[static_cast<size_t>(e.task)].emplace_back(row, e.accuracy);
  learned_.push_back(learned);
  rows_.push_back(std::move(entries));
}

std::optional<double> AccuracyMatrix::at(size_t row, size_t task) const {
  if (row >= rows_.size())
    throw std::out_of_range(fmt::format("accuracy matrix: no row {}", row));
  const auto& h = history_.at(task);
  auto it =
      std::upper_bound(h.begin(), h.end(), row,
                       [](size_t r, const std::pair<size_t, double>& e) { return r < e.first; });
  if (it == h.begin())
    return std::nullopt;
  return std::prev(it)->second;
}

std::vector<std::optional<double>> AccuracyMatrix::row(size_t row) const {
  std::vector<std::optional<double>> out(tasks_.size());
  for (size_t j = 0; j < tasks_.size(); ++j)
    out[j] = at(row, j);
  return out;
}

double AccuracyMatrix::average_accuracy(std::optional<size_t> row) const {
  if (rows_.empty())
    return 0.0;
  return mean_of(this->row(row.value_or(rows_.size() - 1)));
}

std::vector<std::optional<double>> AccuracyMatrix::task_bwt() const {
  std::vector<std::optional<double>> out(tasks_.size());
  if (rows_.size() < 2)
    return out;
  const size_t last = rows_.size() - 1;
  // The last event before the final one that learned each task (Avalanche overwrites its
  // "initial" accuracy on every evaluation while training it).
  std::vector<std::optional<size_t>> r(tasks_.size());
  for (size_t i = 0; i < last; ++i)
    r[static_cast<size_t>(learned_[i])] = i;
  for (size_t k = 0; k < tasks_.size(); ++k) {
    if (!r[k] || learned_[last] == static_cast<int64_t>(k))
      continue;
    const auto now = at(last, k);
    const auto then = at(*r[k], k);
    if (now && then)
      out[k] = *now - *then;
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
    const auto now = at(last, k);
    if (learned_[last] == static_cast<int64_t>(k) || !now)
      continue;
    // Carried values repeat measured ones, so the best earlier value is the best entry.
    std::optional<double> best;
    for (const auto& [row, value] : history_[k]) {
      if (row < last)
        best = std::max(best.value_or(value), value);
    }
    if (best)
      out[k] = *best - *now;
  }
  return out;
}

double AccuracyMatrix::max_forgetting() const {
  return mean_of(task_max_forgetting());
}

}  // namespace evostream::model
