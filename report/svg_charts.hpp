#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/run/accuracy_matrix.hpp"

namespace evostream::report {

/// Self-contained SVG charts for the HTML report: no scripts, native tooltips (`<title>`).
class SvgCharts {
 public:
  /// One named series of values, one per category (empty: no value).
  struct Series {
    std::string name;
    std::string colour;
    std::vector<std::optional<double>> values;
  };
  /// How tick labels and tooltips print a value.
  using Format = std::function<std::string(double)>;
  /// A fixed y range (low, high), or none to fit the values.
  using Range = std::optional<std::pair<double, double>>;

  /// Grouped bars: one group per category, one bar per series, a legend when there are several.
  static std::string bars(const std::string& id, const std::vector<std::string>& categories,
                          const std::vector<Series>& series, const std::string& y_label,
                          const Format& format, const Range& range = std::nullopt);
  /// Lines with markers over the categories, one per series.
  static std::string lines(const std::string& id, const std::vector<std::string>& categories,
                           const std::vector<Series>& series, const std::string& y_label,
                           const Format& format, const Range& range = std::nullopt);
  /// The accuracy matrix as a heat map: rows are learning events (labelled by the task learned),
  /// columns tasks; each cell shows its accuracy in percent.
  static std::string heat_map(const std::string& id, const model::AccuracyMatrix& matrix);
  /// A grid of signed values: one row per `rows` label, one cell per `columns` label, blue for
  /// positive and red for negative values, darker with |value| up to the largest, grey for NaN
  /// (no value); `note` under it. Each cell's tooltip gives its row, column and value.
  static std::string value_grid(const std::string& id, const std::vector<std::string>& rows,
                                const std::vector<std::string>& columns,
                                const std::vector<std::vector<double>>& values,
                                const std::string& note);

  /// `chart` (one of the charts above) as an SVG file of its own: an XML declaration, and the
  /// text and grid styles and white background the report's page would give it.
  static std::string file(std::string chart);

  /// Round tick values from 0 (or below, for negative data) to at least `high`: about 5 of them.
  static std::vector<double> ticks(double low, double high);
  /// `value` as `950`, `12.3k` or `1.94M`.
  static std::string count(double value);
  /// A fraction as a percentage with one decimal, rounded as `rounded` does.
  static std::string percent(double fraction);
  /// `value` with `digits` decimals, halves rounded away from zero (61.25 and 41.25 alike).
  static std::string rounded(double value, int digits);
  /// Seconds for an axis or a tooltip: whole seconds from 10 s, two significant digits below.
  static std::string seconds(double value);
  /// The colour of accuracy `t` in [0, 1] on a white-to-blue scale.
  static std::string blue(double t);
};

}  // namespace evostream::report
