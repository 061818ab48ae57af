#include "report/svg_charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/model_graph.hpp"

namespace evostream::report {

namespace {

// Plot area of the bar and line charts, in pixels.
constexpr double kWidth = 760;
constexpr double kHeight = 300;
constexpr double kLeft = 70;
constexpr double kRight = 20;
constexpr double kTop = 30;
constexpr double kBottom = 110;

struct Frame {
  double low = 0.0;
  double high = 1.0;
  std::vector<double> ticks;
  double plot_width() const { return kWidth - kLeft - kRight; }
  double plot_height() const { return kHeight - kTop - kBottom; }
  double y(double v) const { return kTop + plot_height() * (1.0 - (v - low) / (high - low)); }
};

Frame frame_of(const std::vector<SvgCharts::Series>& series, const SvgCharts::Range& range) {
  if (range) {
    // A fixed scale (0–100% for accuracies), so that two reports compare by eye.
    Frame f;
    f.ticks = SvgCharts::ticks(range->first, range->second);
    f.low = f.ticks.front();
    f.high = f.ticks.back();
    return f;
  }
  double low = 0.0;
  double high = 0.0;
  for (const auto& s : series) {
    for (const auto& v : s.values) {
      if (v) {
        low = std::min(low, *v);
        high = std::max(high, *v);
      }
    }
  }
  Frame f;
  f.ticks = SvgCharts::ticks(low, high > low ? high : low + 1.0);
  f.low = f.ticks.front();
  f.high = f.ticks.back();
  return f;
}

// The frame, y ticks, y label and rotated category labels; `x(i)` centres category i.
std::string axes(const std::string& id, const Frame& f, const std::vector<std::string>& categories,
                 const std::function<double(size_t)>& x, const std::string& y_label,
                 const SvgCharts::Format& format) {
  std::string out = fmt::format(
      "<svg id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "role=\"img\" aria-label=\"{}\">\n",
      id, kWidth, kHeight, kWidth, ModelGraph::escape(y_label));
  for (double t : f.ticks) {
    out += fmt::format(
        "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/><text x=\"{}\" "
        "y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>\n",
        kLeft, kWidth - kRight, f.y(t), f.y(t), kLeft - 6, f.y(t) + 4,
        ModelGraph::escape(format(t)));
  }
  out += fmt::format(
      "<text x=\"14\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 14 {:.1f})\">{}</text>\n",
      kTop + f.plot_height() / 2, kTop + f.plot_height() / 2, ModelGraph::escape(y_label));
  for (size_t i = 0; i < categories.size(); ++i) {
    const double cx = x(i);
    const double cy = kHeight - kBottom + 14;
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\" "
        "transform=\"rotate(-40 {:.1f} {:.1f})\">{}</text>\n",
        cx, cy, cx, cy, ModelGraph::escape(categories[i]));
  }
  return out;
}

std::string legend(const std::vector<SvgCharts::Series>& series) {
  if (series.size() < 2)
    return {};
  std::string out;
  double x = kLeft;
  for (const auto& s : series) {
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1f}\" "
        "y=\"18\" class=\"axis\">{}</text>\n",
        x, s.colour, x + 16, ModelGraph::escape(s.name));
    x += 24 + 7.0 * static_cast<double>(s.name.size());
  }
  return out;
}

}  // namespace

std::vector<double> SvgCharts::ticks(double low, double high) {
  const double span = std::max(high - std::min(low, 0.0), 1e-12);
  const double raw = span / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw)
      break;
  }
  std::vector<double> out;
  const double first = std::floor(std::min(low, 0.0) / step) * step;
  for (double t = first; t < high + step * 0.999; t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  if (out.size() < 2)
    out.push_back(first + step);
  return out;
}

std::string SvgCharts::file(std::string chart) {
  const auto open = chart.find(">\n") + 2;
  chart.insert(open,
               "<style>text { font: 11px sans-serif; fill: #333; } .grid { stroke: #e6e6e6; }"
               "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + chart;
}

std::string SvgCharts::count(double value) {
  const double a = std::abs(value);
  if (a >= 1e6)
    return fmt::format("{:.3g}M", value / 1e6);
  if (a >= 1e3)
    return fmt::format("{:.3g}k", value / 1e3);
  return fmt::format("{:.3g}", value);
}

std::string SvgCharts::rounded(double value, int digits) {
  // Half away from zero, after absorbing the binary error of a value like 0.4125 × 100 =
  // 41.249999…: 41.25 and 61.25 both round up, as a reader rounds the table's 2-decimal figures.
  const double scale = std::pow(10.0, digits);
  const double r = std::round(value * scale + (value >= 0 ? 1e-7 : -1e-7)) / scale;
  return fmt::format("{:.{}f}", r + 0.0, digits);
}

std::string SvgCharts::percent(double fraction) {
  return rounded(100.0 * fraction, 1) + "%";
}

std::string SvgCharts::seconds(double value) {
  // Short runs train for fractions of a second: whole seconds would label every tick "0 s".
  return std::abs(value) >= 10.0 || value == 0.0 ? fmt::format("{:.0f} s", value)
                                                 : fmt::format("{:.2g} s", value);
}

std::string SvgCharts::blue(double t) {
  t = std::clamp(t, 0.0, 1.0);
  // From #f7fbff (low) to #08306b (high).
  const auto mix = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(0xf7, 0x08), mix(0xfb, 0x30), mix(0xff, 0x6b));
}

std::string SvgCharts::bars(const std::string& id, const std::vector<std::string>& categories,
                            const std::vector<Series>& series, const std::string& y_label,
                            const Format& format, const Range& range) {
  const Frame f = frame_of(series, range);
  const double group = f.plot_width() / static_cast<double>(std::max<size_t>(1, categories.size()));
  const double bar = group * 0.8 / static_cast<double>(std::max<size_t>(1, series.size()));
  auto x = [&](size_t i) { return kLeft + group * (static_cast<double>(i) + 0.5); };
  std::string out = axes(id, f, categories, x, y_label, format);
  for (size_t s = 0; s < series.size(); ++s) {
    for (size_t i = 0; i < categories.size() && i < series[s].values.size(); ++i) {
      if (!series[s].values[i])
        continue;
      const double v = *series[s].values[i];
      const double left =
          kLeft + group * (static_cast<double>(i) + 0.1) + bar * static_cast<double>(s);
      const double top = std::min(f.y(v), f.y(0.0));
      out += fmt::format(
          "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill=\"{}\"><title>{} · {}: {}</title></rect>\n",
          left, top, std::max(1.0, bar - 1.0), std::abs(f.y(v) - f.y(0.0)), series[s].colour,
          ModelGraph::escape(series[s].name), ModelGraph::escape(categories[i]),
          ModelGraph::escape(format(v)));
    }
  }
  return out + legend(series) + "</svg>\n";
}

std::string SvgCharts::lines(const std::string& id, const std::vector<std::string>& categories,
                             const std::vector<Series>& series, const std::string& y_label,
                             const Format& format, const Range& range) {
  const Frame f = frame_of(series, range);
  const double step = f.plot_width() / static_cast<double>(std::max<size_t>(1, categories.size()));
  auto x = [&](size_t i) { return kLeft + step * (static_cast<double>(i) + 0.5); };
  std::string out = axes(id, f, categories, x, y_label, format);
  for (const auto& s : series) {
    std::string points;
    std::string markers;
    for (size_t i = 0; i < categories.size() && i < s.values.size(); ++i) {
      if (!s.values[i])
        continue;
      points += fmt::format("{:.1f},{:.1f} ", x(i), f.y(*s.values[i]));
      markers += fmt::format(
          "<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>{} · "
          "{}: {}</title></circle>\n",
          x(i), f.y(*s.values[i]), s.colour, ModelGraph::escape(s.name),
          ModelGraph::escape(categories[i]), ModelGraph::escape(format(*s.values[i])));
    }
    out += fmt::format(
        "<polyline class=\"line\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
        points, s.colour);
    out += markers;
  }
  return out + legend(series) + "</svg>\n";
}

std::string SvgCharts::heat_map(const std::string& id, const model::AccuracyMatrix& matrix) {
  const auto& tasks = matrix.tasks();
  // Large matrices show every k-th row and task (the last row always), so the plot stays
  // readable and its size bounded.
  constexpr size_t kMaxCells = 40;
  const size_t stride =
      std::max<size_t>(1, (std::max(tasks.size(), matrix.rows()) + kMaxCells - 1) / kMaxCells);
  std::vector<size_t> rows;
  std::vector<size_t> columns;
  for (size_t i = matrix.rows() % stride == 0 ? stride - 1 : matrix.rows() % stride - 1;
       i < matrix.rows(); i += stride)
    rows.push_back(i);
  for (size_t j = 0; j < tasks.size(); j += stride)
    columns.push_back(j);
  const double cell = 44;
  const double left = 150;
  const double top = 110;
  const double height = top + cell * static_cast<double>(rows.size()) + 40;
  // A fixed scale, 0 (white) to 100% (dark blue): a run's lowest accuracy is not "not learned",
  // and two reports compare by eye.
  const double low = 0.0;
  const double high = 1.0;
  const std::string note = fmt::format(
      "Test accuracy %: white 0 → dark blue 100; grey: not learned yet.{}",
      stride > 1 ? fmt::format(" Every {}th row and task of {} shown.", stride, tasks.size())
                 : std::string());
  // Wide enough for the note (about 6.5 px a character at 11 px).
  const double width = std::max(left + cell * static_cast<double>(columns.size()) + 90,
                                left + 6.5 * static_cast<double>(note.size()) + 20);
  std::string out = fmt::format(
      "<svg id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "role=\"img\" aria-label=\"accuracy matrix\">\n",
      id, width, height, width);
  for (size_t c = 0; c < columns.size(); ++c) {
    const double x = left + cell * (static_cast<double>(c) + 0.5);
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" transform=\"rotate(-45 {:.1f} {:.1f})\">"
        "{}</text>\n",
        x, top - 8, x, top - 8, ModelGraph::escape(tasks[columns[c]]));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    const size_t i = rows[r];
    const double y = top + cell * static_cast<double>(r);
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">after {}</text>\n",
        left - 6, y + cell / 2 + 4,
        ModelGraph::escape(tasks[static_cast<size_t>(matrix.learned(i))]));
    for (size_t c = 0; c < columns.size(); ++c) {
      const size_t j = columns[c];
      const auto v = matrix.at(i, j);
      const double x = left + cell * static_cast<double>(c);
      if (!v) {
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"#f4f4f4\" "
            "stroke=\"#fff\"/>\n",
            x, y, cell, cell);
        continue;
      }
      const double t = (*v - low) / (high - low);
      out += fmt::format(
          "<g class=\"cell\"><title>after {}, {}: {}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" "
          "width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\"/><text x=\"{:.1f}\" y=\"{:.1f}\" "
          "class=\"cellv\" text-anchor=\"middle\" style=\"fill:{}\">{}</text></g>\n",
          ModelGraph::escape(tasks[static_cast<size_t>(matrix.learned(i))]),
          ModelGraph::escape(tasks[j]), percent(*v), x, y, cell, cell, blue(t), x + cell / 2,
          y + cell / 2 + 4, t > 0.55 ? "#fff" : "#111", rounded(100.0 * *v, 1));
    }
  }
  out += fmt::format("<text x=\"20\" y=\"{:.1f}\" class=\"axis\">{}</text>\n", height - 12,
                     ModelGraph::escape(note));
  return out + "</svg>\n";
}

std::string SvgCharts::value_grid(const std::string& id, const std::vector<std::string>& rows,
                                  const std::vector<std::string>& columns,
                                  const std::vector<std::vector<double>>& values,
                                  const std::string& note) {
  const double cell = 20;
  const double left = 150;
  const double top = 90;
  double largest = 0.0;
  for (const auto& row : values) {
    for (const double v : row) {
      if (!std::isnan(v))
        largest = std::max(largest, std::abs(v));
    }
  }
  const double height = top + cell * static_cast<double>(rows.size()) + 40;
  const double width = std::max(left + cell * static_cast<double>(columns.size()) + 40,
                                left + 6.5 * static_cast<double>(note.size()) + 20);
  std::string out = fmt::format(
      "<svg id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "role=\"img\" aria-label=\"{}\">\n",
      id, width, height, width, ModelGraph::escape(note));
  for (size_t c = 0; c < columns.size(); ++c) {
    const double x = left + cell * (static_cast<double>(c) + 0.5);
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" transform=\"rotate(-60 {:.1f} {:.1f})\">"
        "{}</text>\n",
        x, top - 6, x, top - 6, ModelGraph::escape(columns[c]));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    const double y = top + cell * static_cast<double>(r);
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>\n", left - 6,
        y + cell / 2 + 4, ModelGraph::escape(rows[r]));
    for (size_t c = 0; c < columns.size() && c < values[r].size(); ++c) {
      const double v = values[r][c];
      if (std::isnan(v)) {  // no value here
        out += fmt::format(
            "<g class=\"cell\"><title>{}, {}: none</title><rect x=\"{:.1f}\" y=\"{:.1f}\" "
            "width=\"{}\" height=\"{}\" fill=\"#e4e4e4\" stroke=\"#fff\"/></g>\n",
            ModelGraph::escape(rows[r]), ModelGraph::escape(columns[c]),
            left + cell * static_cast<double>(c), y, cell, cell);
        continue;
      }
      const double t = largest > 0.0 ? std::abs(v) / largest : 0.0;
      const auto mix = [t](int a, int b) {
        return static_cast<int>(std::lround(a + (b - a) * std::clamp(t, 0.0, 1.0)));
      };
      const std::string fill = v >= 0.0 ? blue(t)
                                        : fmt::format("#{:02x}{:02x}{:02x}", mix(0xff, 0x99),
                                                      mix(0xf5, 0x00), mix(0xf0, 0x0d));
      out += fmt::format(
          "<g class=\"cell\"><title>{}, {}: {}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" "
          "width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#fff\"/></g>\n",
          ModelGraph::escape(rows[r]), ModelGraph::escape(columns[c]), rounded(v, 3),
          left + cell * static_cast<double>(c), y, cell, cell, fill);
    }
  }
  out += fmt::format("<text x=\"20\" y=\"{:.1f}\" class=\"axis\">{}</text>\n", height - 12,
                     ModelGraph::escape(note));
  return out + "</svg>\n";
}

}  // namespace evostream::report
