#include "report/confusion_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "report/model_graph.hpp"
#include "report/svg_charts.hpp"

namespace evostream::report {

Confusion Confusion::of(std::string task, std::vector<std::string> classes,
                        const std::vector<int64_t>& labels,
                        const std::vector<int64_t>& predictions) {
  if (labels.size() != predictions.size()) {
    throw std::invalid_argument(
        fmt::format("task {}: expected a prediction per label, found {} labels and {} predictions",
                    task, labels.size(), predictions.size()));
  }
  const auto n = static_cast<int64_t>(classes.size());
  Confusion c{std::move(task), std::move(classes),
              std::vector<std::vector<int64_t>>(static_cast<size_t>(n),
                                                std::vector<int64_t>(static_cast<size_t>(n)))};
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= n || predictions[i] < 0 || predictions[i] >= n) {
      throw std::invalid_argument(
          fmt::format("task {}: image {}: expected a label and a prediction below {} classes, "
                      "found {} and {}",
                      c.task, i, n, labels[i], predictions[i]));
    }
    ++c.counts[static_cast<size_t>(labels[i])][static_cast<size_t>(predictions[i])];
  }
  return c;
}

int64_t Confusion::total() const {
  int64_t sum = 0;
  for (const auto& row : counts) {
    for (const int64_t v : row)
      sum += v;
  }
  return sum;
}

int64_t Confusion::right() const {
  int64_t sum = 0;
  for (size_t k = 0; k < counts.size(); ++k)
    sum += counts[k][k];
  return sum;
}

double Confusion::accuracy() const {
  const int64_t all = total();
  return all > 0 ? static_cast<double>(right()) / static_cast<double>(all) : 0.0;
}

std::string confusion_chart(const std::string& id, const Confusion& c) {
  const size_t n = c.classes.size();
  const double cell = 44;
  size_t longest = 0;
  for (const auto& name : c.classes)
    longest = std::max(longest, name.size());
  // Room for the row labels and the rotated column labels (about 6.5 px a character).
  const double left = std::max(90.0, 6.5 * static_cast<double>(longest) + 30);
  const double top = std::max(70.0, 4.6 * static_cast<double>(longest) + 40);
  const double width = left + cell * static_cast<double>(n) + 110;
  const double height = top + cell * static_cast<double>(n) + 30;
  const std::string task = ModelGraph::escape(c.task);
  std::string out = fmt::format(
      "<svg id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "role=\"img\" aria-label=\"confusion matrix of {}\">\n",
      id, width, height, width, task);
  out += fmt::format(
      "<text x=\"{:.1f}\" y=\"14\" class=\"axis\" text-anchor=\"middle\">predicted class</text>\n"
      "<text x=\"12\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 12 {:.1f})\">true class</text>\n"
      "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\">class accuracy</text>\n",
      left + cell * static_cast<double>(n) / 2, top + cell * static_cast<double>(n) / 2,
      top + cell * static_cast<double>(n) / 2, left + cell * static_cast<double>(n) + 8, top - 8);
  for (size_t p = 0; p < n; ++p) {
    const double x = left + cell * (static_cast<double>(p) + 0.5);
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" transform=\"rotate(-45 {:.1f} {:.1f})\">"
        "{}</text>\n",
        x, top - 6, x, top - 6, ModelGraph::escape(c.classes[p]));
  }
  for (size_t t = 0; t < n; ++t) {
    const double y = top + cell * static_cast<double>(t);
    int64_t row = 0;
    for (const int64_t v : c.counts[t])
      row += v;
    const std::string name = ModelGraph::escape(c.classes[t]);
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>\n", left - 6,
        y + cell / 2 + 4, name);
    for (size_t p = 0; p < n; ++p) {
      const int64_t v = c.counts[t][p];
      const double share = row > 0 ? static_cast<double>(v) / static_cast<double>(row) : 0.0;
      out += fmt::format(
          "<g class=\"cell\"><title>true {}, predicted {}: {} of {} ({})</title><rect "
          "x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{}\"/>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"cellv\" text-anchor=\"middle\" "
          "style=\"fill:{}\">{}</text></g>\n",
          name, ModelGraph::escape(c.classes[p]), v, row, SvgCharts::percent(share),
          left + cell * static_cast<double>(p), y, cell, cell, SvgCharts::blue(share),
          t == p ? "#333" : "#fff", left + cell * (static_cast<double>(p) + 0.5), y + cell / 2 + 4,
          share > 0.55 ? "#fff" : "#111", v);
    }
    const double right =
        row > 0 ? static_cast<double>(c.counts[t][t]) / static_cast<double>(row) : 0.0;
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\"><title>{}: {} of {} right</title>{}"
        "</text>\n",
        left + cell * static_cast<double>(n) + 8, y + cell / 2 + 4, name, c.counts[t][t], row,
        row > 0 ? SvgCharts::percent(right) : std::string("–"));
  }
  return out + "</svg>\n";
}

}  // namespace evostream::report
