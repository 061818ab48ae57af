#include "report/search_chart.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "report/model_graph.hpp"

namespace evostream::report {

namespace {

constexpr double kLeft = 40;
constexpr double kTop = 28;
constexpr double kPlotHeight = 200;
constexpr double kColumn = 70;

}  // namespace

std::string search_chart(const std::string& id, const std::string& task,
                         const std::vector<model::CandidateRecord>& points,
                         const std::string& committed) {
  int64_t generations = 0;
  std::map<std::string, const model::CandidateRecord*> by_name;
  for (const auto& p : points) {
    generations = std::max(generations, p.generation + 1);
    by_name[p.name] = &p;
  }
  // Seed paths: parents outside the search, one row each in the leftmost column.
  std::vector<std::string> seeds;
  for (const auto& p : points) {
    if (!by_name.count(p.parent) && std::find(seeds.begin(), seeds.end(), p.parent) == seeds.end())
      seeds.push_back(p.parent);
  }
  const double width = kLeft + kColumn * static_cast<double>(generations + 1) + 20;
  const double height = kTop + kPlotHeight + 44;
  const auto x_of = [](int64_t column) { return kLeft + kColumn * (column + 0.5); };
  const auto y_of = [](double quality) {
    return kTop + kPlotHeight * (1.0 - std::clamp(quality, 0.0, 1.0));
  };
  // Candidates of one generation spread a little sideways, so equal accuracies stay apart.
  std::map<int64_t, int64_t> seen;
  std::map<std::string, std::pair<double, double>> at;
  std::map<int64_t, int64_t> per_generation;
  for (const auto& p : points)
    ++per_generation[p.generation];
  for (const auto& p : points) {
    const int64_t k = seen[p.generation]++;
    const double n = static_cast<double>(per_generation[p.generation]);
    const double spread = n > 1 ? (static_cast<double>(k) / (n - 1) - 0.5) * 0.5 * kColumn : 0.0;
    at[p.name] = {x_of(p.generation + 1) + spread, y_of(p.quality)};
  }
  for (size_t s = 0; s < seeds.size(); ++s) {
    at[seeds[s]] = {x_of(0), kTop + kPlotHeight * (static_cast<double>(s) + 0.5) /
                                        static_cast<double>(seeds.size())};
  }
  std::string out = fmt::format(
      "<svg id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
      "role=\"img\" aria-label=\"search of {}\">\n",
      id, width, height, width, ModelGraph::escape(task));
  for (int v = 0; v <= 100; v += 25) {
    const double y = y_of(v / 100.0);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}%</text>\n",
        kLeft, width - 20, y, y, kLeft - 4, y + 4, v);
  }
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">seeds</text>\n",
                     x_of(0), height - 22);
  for (int64_t g = 0; g < generations; ++g) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                       x_of(g + 1), height - 22, g);
  }
  out +=
      fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">generation · {}</text>\n",
                  kLeft + kColumn * (1 + generations / 2.0), height - 6, ModelGraph::escape(task));
  for (const auto& p : points) {
    const auto [x1, y1] = at.at(p.parent);
    const auto [x2, y2] = at.at(p.name);
    out += fmt::format(
        "<line class=\"parent\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
        "stroke=\"{}\" stroke-width=\"1\"/>\n",
        x1, y1, x2, y2, p.kept ? "#6aa84f" : "#cccccc");
  }
  for (const auto& s : seeds) {
    const auto [x, y] = at.at(s);
    out += fmt::format(
        "<g class=\"seed\"><title>seed path {}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" "
        "width=\"8\" height=\"8\" fill=\"#555\"/></g>\n",
        ModelGraph::escape(s), x - 4, y - 4);
  }
  for (const auto& p : points) {
    const auto [x, y] = at.at(p.name);
    const bool chosen = p.name == committed;
    out += fmt::format(
        "<g class=\"candidate\"><title>{} ← {}: {:.1f}% validation, score {:.4f}, {} parameters "
        "trained{}{}{}</title><circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"{}/></g>\n",
        ModelGraph::escape(p.name), ModelGraph::escape(p.parent), 100.0 * p.quality, p.score,
        p.trained_params, p.kept ? ", kept" : ", dropped", chosen ? ", committed" : "",
        p.changes.empty() ? std::string()
                          : ModelGraph::escape(fmt::format("; {}", fmt::join(p.changes, ", "))),
        x, y, p.kept ? 5 : 3.5, p.kept ? "#38761d" : "#999999",
        chosen ? " stroke=\"#cc0000\" stroke-width=\"2.5\"" : "");
  }
  return out + "</svg>\n";
}

}  // namespace evostream::report
