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
  const model::TrainingCurve* curve;
};

// A line chart of one value per point of each task's curve, over the steps of its points:
// `points` picks the points of a curve, `value` a point's value (none: no value there).
template <typename Points, typename Value>
std::string chart(const std::string& id, const std::vector<Trained>& trained, Points points,
                  Value value, const std::string& y_label, const SvgCharts::Format& format,
                  const SvgCharts::Range& range = std::nullopt) {
  std::set<int64_t> step_set;
  for (const auto& t : trained) {
    for (const auto& p : points(*t.curve))
      step_set.insert(p.step);
  }
  const std::vector<int64_t> steps(step_set.begin(), step_set.end());
  std::vector<std::string> categories;
  for (const int64_t s : steps)
    categories.push_back(std::to_string(s));
  std::vector<SvgCharts::Series> series;
  for (size_t i = 0; i < trained.size(); ++i) {
    SvgCharts::Series s{trained[i].task, ModelGraph::colour(static_cast<int64_t>(i) + 1),
                        std::vector<std::optional<double>>(steps.size())};
    for (const auto& p : points(*trained[i].curve)) {
      const auto at = std::lower_bound(steps.begin(), steps.end(), p.step);
      s.values[static_cast<size_t>(at - steps.begin())] = value(p);
    }
    series.push_back(std::move(s));
  }
  return SvgCharts::lines(id, categories, series, y_label, format, range);
}

std::string figure(const std::string& title, const std::string& svg) {
  return fmt::format("<div><p class=\"note\"><b>{}</b> (x: training step)</p>{}</div>",
                     ModelGraph::escape(title), svg);
}

const std::vector<model::ValidationPoint>& validations(const model::TrainingCurve& c) {
  return c.validations;
}

const std::vector<model::LossPoint>& losses(const model::TrainingCurve& c) {
  return c.losses;
}

std::string loss_format(double v) {
  return SvgCharts::rounded(v, 3);
}

// The validation accuracy and training loss figures of `trained`, their charts' ids starting
// with `id`.
std::string accuracy_and_loss(const std::string& id, const std::vector<Trained>& trained) {
  return figure("Validation accuracy",
                chart(
                    id + "-accuracy", trained, validations,
                    [](const model::ValidationPoint& v) -> std::optional<double> {
                      return v.accuracy;
                    },
                    "validation accuracy", SvgCharts::percent, SvgCharts::Range({0.0, 1.0}))) +
         figure("Training loss",
                chart(
                    id + "-loss", trained, losses,
                    [](const model::LossPoint& l) -> std::optional<double> { return l.loss; },
                    "mean training loss", loss_format));
}

}  // namespace

std::string training_curves(
    const std::vector<std::pair<std::string, std::vector<model::CandidateRecord>>>& searches,
    const std::map<std::string, std::string>& committed) {
  std::vector<Trained> trained;
  std::set<std::string> terms;
  for (const auto& [task, points] : searches) {
    const auto name = committed.find(task);
    if (name == committed.end())
      continue;
    for (const auto& p : points) {
      if (p.name != name->second || (p.curve.validations.empty() && p.curve.losses.empty()))
        continue;
      trained.push_back({task, &p.curve});
      for (const auto& l : p.curve.losses) {
        for (const auto& [term, value] : l.terms)
          terms.insert(term);
      }
      break;
    }
  }
  if (trained.empty())
    return {};

  std::string out = fmt::format(
      "<h2>Training of the committed candidates</h2>\n<p class=\"note\">How the committed "
      "candidate of each of the {} task{} learned last trained: its accuracy at each "
      "validation, its training loss averaged over stretches of about a twentieth of its "
      "steps, and each part of the loss its objective reported, averaged the same way. A µ2Net "
      "candidate starts from its parent, so its curve is its own training only.</p>\n<div "
      "class=\"figures searches\">",
      trained.size(), trained.size() == 1 ? "" : "s");
  out += accuracy_and_loss("curve", trained);
  size_t k = 0;
  for (const auto& term : terms) {
    out += figure("Loss term: " + term,
                  chart(
                      fmt::format("curve-term-{}", k++), trained, losses,
                      [&term](const model::LossPoint& l) -> std::optional<double> {
                        const auto at = l.terms.find(term);
                        if (at == l.terms.end())
                          return std::nullopt;
                        return at->second;
                      },
                      term, loss_format));
  }
  return out + "</div>\n";
}

std::string root_training(const model::TrainingCurve& root) {
  if (root.validations.empty() && root.losses.empty())
    return {};
  const std::vector<Trained> trained{{"root", &root}};
  std::string out =
      "<h2>Training of the root</h2>\n<p class=\"note\">The root trained on its pretraining "
      "task: accuracy at each validation and the training loss averaged over stretches of "
      "about a twentieth of its steps.</p>\n<div class=\"figures searches\">";
  out += accuracy_and_loss("root", trained);
  return out + "</div>\n";
}

}  // namespace evostream::report
