#include "report/training_curves.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "report/model_graph.hpp"
#include "report/svg_charts.hpp"

namespace evostream::report {

namespace {

// A committed candidate's curve, labelled by its task.
struct Trained {
  std::string task;
  const std::vector<model::ValidationPoint>* curve;
};

// One line per task over `steps`, the values `value` gives (none where it gives none).
template <typename F>
std::vector<SvgCharts::Series> series_of(const std::vector<Trained>& trained,
                                         const std::vector<int64_t>& steps, F value) {
  std::vector<SvgCharts::Series> out;
  for (size_t i = 0; i < trained.size(); ++i) {
    SvgCharts::Series s{trained[i].task, ModelGraph::colour(static_cast<int64_t>(i) + 1),
                        std::vector<std::optional<double>>(steps.size())};
    for (const auto& v : *trained[i].curve) {
      const auto at = std::lower_bound(steps.begin(), steps.end(), v.step);
      s.values[static_cast<size_t>(at - steps.begin())] = value(v);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string figure(const std::string& title, const std::string& chart) {
  return fmt::format("<div><p class=\"note\"><b>{}</b></p>{}</div>", ModelGraph::escape(title),
                     chart);
}

}  // namespace

std::string training_curves(
    const std::vector<std::pair<std::string, std::vector<model::CandidateRecord>>>& searches,
    const std::map<std::string, std::string>& committed) {
  std::vector<Trained> trained;
  std::set<int64_t> step_set;
  std::set<std::string> terms;
  for (const auto& [task, points] : searches) {
    const auto name = committed.find(task);
    if (name == committed.end())
      continue;
    for (const auto& p : points) {
      if (p.name != name->second || p.curve.empty())
        continue;
      trained.push_back({task, &p.curve});
      for (const auto& v : p.curve) {
        step_set.insert(v.step);
        for (const auto& [term, value] : v.terms)
          terms.insert(term);
      }
      break;
    }
  }
  if (trained.empty())
    return {};
  const std::vector<int64_t> steps(step_set.begin(), step_set.end());
  std::vector<std::string> categories;
  for (const int64_t s : steps)
    categories.push_back(std::to_string(s));
  const auto loss_format = [](double v) { return SvgCharts::rounded(v, 3); };

  std::string out = fmt::format(
      "<h2>Training of the committed candidates</h2>\n<p class=\"note\">How the committed "
      "candidate of each of the {} task{} learned last trained, against its training step: "
      "accuracy at each validation, the mean training loss since the previous one, and each "
      "part of the loss its objective reported, averaged the same way. A µ2Net candidate "
      "starts from its parent, so its curve is its own training only.</p>\n<div "
      "class=\"figures searches\">",
      trained.size(), trained.size() == 1 ? "" : "s");
  out += figure(
      "Validation accuracy",
      SvgCharts::lines("curve-accuracy", categories,
                       series_of(trained, steps,
                                 [](const auto& v) -> std::optional<double> { return v.accuracy; }),
                       "validation accuracy", SvgCharts::percent, SvgCharts::Range({0.0, 1.0})));
  out += figure(
      "Training loss",
      SvgCharts::lines(
          "curve-loss", categories,
          series_of(trained, steps, [](const auto& v) -> std::optional<double> { return v.loss; }),
          "mean training loss", loss_format));
  size_t k = 0;
  for (const auto& term : terms) {
    out += figure("Loss term: " + term,
                  SvgCharts::lines(fmt::format("curve-term-{}", k++), categories,
                                   series_of(trained, steps,
                                             [&term](const auto& v) -> std::optional<double> {
                                               const auto at = v.terms.find(term);
                                               return at == v.terms.end()
                                                          ? std::nullopt
                                                          : std::optional<double>(at->second);
                                             }),
                                   term, loss_format));
  }
  return out + "</div>\n";
}

}  // namespace evostream::report
