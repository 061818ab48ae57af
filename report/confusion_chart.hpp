#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evostream::report {

/// A task's test predictions counted against their labels: a confusion matrix.
struct Confusion {
  /// The task.
  std::string task;
  /// The class names, one per class index.
  std::vector<std::string> classes;
  /// `counts[label][predicted]`: images of class `label` predicted as `predicted`.
  std::vector<std::vector<int64_t>> counts;

  /// Counts `predictions` against `labels` (one each per image, class indices below
  /// `classes.size()`). Raises `std::invalid_argument` when their sizes differ or an index is
  /// out of range.
  static Confusion of(std::string task, std::vector<std::string> classes,
                      const std::vector<int64_t>& labels, const std::vector<int64_t>& predictions);
  /// Images counted.
  int64_t total() const;
  /// Images predicted as their label.
  int64_t right() const;
  /// The share of images predicted as their label.
  double accuracy() const;
};

/// `c` as SVG: a row per true class and a column per predicted class, each cell its count,
/// shaded by its share of the row (white 0 → dark blue 100%, so a class's own cell reads its
/// accuracy); each row's accuracy at its right. Tooltips give the class names, count and share.
std::string confusion_chart(const std::string& id, const Confusion& c);

}  // namespace evostream::report
