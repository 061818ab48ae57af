#include "report/report_page.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <type_traits>

#include "model/train/recipe_text.hpp"
#include "model/train/linear_probe.hpp"
#include "report/model_graph.hpp"
#include "report/search_chart.hpp"
#include "report/svg_charts.hpp"
#include "report/training_curves.hpp"

namespace evostream::report {

namespace {

using Series = SvgCharts::Series;

const char* const kStyle = R"(
body { font: 15px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #1b1b1b; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 19px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.note { color: #555; margin-top: 4px; }
.figures { overflow-x: auto; }
.searches { display: flex; flex-wrap: wrap; gap: 4px 16px; }
#recipes td:first-child { white-space: nowrap; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; }
th:first-child, td:first-child { text-align: left; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.card b { display: block; font-size: 21px; }
.warning { background: #fff4d6; border: 1px solid #e0b84d; padding: 8px 12px; border-radius: 6px; }
svg { max-width: 100%; height: auto; display: block; margin: 8px 0; }
svg#model-graph { max-width: none; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg text.cellv { font-size: 11px; }
svg text.node { font-size: 10px; fill: #111; }
svg .grid { stroke: #e6e6e6; }
code { background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
)";

std::string esc(const std::string& s) {
  return ModelGraph::escape(s);
}

std::string pct(double v) {
  return fmt::format("{:.2f}", 100.0 * v + 0.0);
}

// A section of the page: its heading, a note (HTML) and a chart.
std::string grid_section(const std::string& heading, const std::string& note,
                         const std::string& chart) {
  return fmt::format("<h2>{}</h2>\n<p class=\"note\">{}</p>\n<div class=\"figures\">{}</div>\n",
                     heading, note, chart);
}

// The forward transfer to each task: the two probes' accuracies as bars, and a table.
std::string transfer_section(const std::vector<model::TaskTransfer>& transfer) {
  std::vector<std::string> tasks;
  SvgCharts::Series root{"probe on the root", ModelGraph::colour(0), {}};
  SvgCharts::Series before{"probe on the path before", ModelGraph::colour(1), {}};
  std::string rows;
  for (const auto& t : transfer) {
    tasks.push_back(t.task);
    if (!t.missing.empty()) {
      root.values.push_back(std::nullopt);
      before.values.push_back(std::nullopt);
      rows +=
          fmt::format("<tr><td>{}</td><td>{}</td><td colspan=\"3\">not measured: {}</td></tr>\n",
                      esc(t.task), esc(t.before), esc(t.missing));
      continue;
    }
    root.values.push_back(t.root_probe);
    before.values.push_back(t.before_probe);
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:+.2f}</td></tr>\n",
                        esc(t.task), esc(t.before), SvgCharts::percent(t.root_probe),
                        SvgCharts::percent(t.before_probe), 100.0 * t.transfer());
  }
  const std::optional<double> mean = model::ForwardTransfer::mean(transfer);
  return fmt::format(
      "<h2>Forward transfer</h2>\n<p class=\"note\">What the stream had taught about each task "
      "before the task was learned. A task has no head before it is learned, so a linear probe "
      "(a softmax classifier on the frozen features, standardised, {} full-batch Adam steps) is "
      "fitted on up to {} of its training images and scored on up to {} of its test images, "
      "once on the features of the path committed just before the task's first commit and once "
      "on the root's; the transfer is the difference, in points. Mean over the tasks measured: "
      "<b>{}</b>.</p>\n<div class=\"figures\">{}<table id=\"transfer\"><tr><th>task</th>"
      "<th>features before it from</th><th>probe on the root %</th><th>probe before %</th>"
      "<th>transfer (points)</th></tr>\n{}</table></div>\n",
      model::LinearProbe::kSteps, model::ForwardTransfer::kTrainImages,
      model::ForwardTransfer::kTestImages,
      mean ? fmt::format("{:+.2f} points", 100.0 * *mean) : std::string("none"),
      SvgCharts::bars("transfer", tasks, {root, before}, "probe test accuracy", SvgCharts::percent,
                      std::make_pair(0.0, 1.0)),
      rows);
}

// A run's values in the order of `names` (empty where the run has no such task).
template <typename F>
std::vector<std::optional<double>> by_task(const model::RunResults& run,
                                           const std::vector<std::string>& names, F value) {
  std::map<std::string, const model::TaskResult*> tasks;
  for (const auto& t : run.tasks)
    tasks[t.name] = &t;
  std::vector<std::optional<double>> out;
  for (const auto& n : names) {
    const auto it = tasks.find(n);
    out.push_back(it == tasks.end() ? std::nullopt : std::optional<double>(value(*it->second)));
  }
  return out;
}

// Per-task charts and the model graph draw at most this many tasks.
constexpr size_t kMostDrawn = 200;

/// The table of committed recipes: a column per field and per extra any path has (a path
/// without that extra shows a dash).
std::string recipe_section(const model::RunResults& run) {
  std::vector<std::string> columns;
  for (const auto& t : run.tasks) {
    for (const auto& [name, text] : model::recipe_entries(t.path.recipe)) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end())
        columns.push_back(name);
    }
  }
  std::string out =
      "<h2>Committed recipes</h2>\n<p class=\"note\">Each task's path as committed: the recipe "
      "it trained with (µ2Net tunes it per path, its own <code>mu</code> and "
      "<code>adapter_dim</code> included; other strategies use their options').</p>\n<div "
      "class=\"figures\"><table id=\"recipes\"><tr>"
      "<th>task</th>";
  for (const auto& name : columns)
    out += fmt::format("<th>{}</th>", esc(name));
  out += "</tr>\n";
  for (const auto& t : run.tasks) {
    if (t.path.ids.empty())
      continue;
    out += "<tr><td>" + esc(t.name) + "</td>";
    const auto entries = model::recipe_entries(t.path.recipe);
    for (const auto& name : columns) {
      const auto at = std::find_if(entries.begin(), entries.end(),
                                   [&](const auto& e) { return e.first == name; });
      out += "<td>" + (at == entries.end() ? std::string("—") : esc(at->second)) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table></div>\n";
}

std::string card(const std::string& label, const std::string& value) {
  return fmt::format("<div class=\"card\">{}<b>{}</b></div>", esc(label), esc(value));
}

}  // namespace

std::vector<std::string> ReportPage::labels(const std::vector<model::RunResults>& runs,
                                            const std::vector<std::string>& dirs) {
  std::map<std::string, int> seen;
  for (const auto& r : runs)
    ++seen[r.strategy];
  std::map<std::string, int> seen_seed;
  for (const auto& r : runs)
    ++seen_seed[fmt::format("{} (seed {})", r.strategy, r.seed)];
  std::vector<std::string> out;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const std::string with_seed = fmt::format("{} (seed {})", r.strategy, r.seed);
    if (seen[r.strategy] == 1)
      out.push_back(r.strategy);
    else if (seen_seed[with_seed] == 1)
      out.push_back(with_seed);
    else
      out.push_back(fmt::format("{} ({})", r.strategy, i < dirs.size() ? dirs[i] : "?"));
  }
  return out;
}

std::string ReportPage::html(const model::RunResults& run,
                             const std::vector<model::RunResults>& others,
                             const std::vector<std::string>& labels, const std::string& run_dir,
                             const History& history, const std::vector<Confusion>& confusions,
                             const std::vector<model::TaskTransfer>& transfer) {
  const std::vector<Search>& searches = history.searches;
  std::vector<const model::RunResults*> runs{&run};
  for (const auto& o : others)
    runs.push_back(&o);
  auto label = [&](size_t i) { return i < labels.size() ? labels[i] : runs[i]->strategy; };
  std::vector<std::string> names;
  for (const auto& t : run.tasks)
    names.push_back(t.name);
  // Long streams: the per-task charts draw every `stride`-th task, at most kMostDrawn of them.
  const size_t stride = std::max<size_t>(1, (names.size() + kMostDrawn - 1) / kMostDrawn);
  auto every = [stride](const auto& all) {
    std::decay_t<decltype(all)> out;
    for (size_t i = 0; i < all.size(); i += stride)
      out.push_back(all[i]);
    return out;
  };
  const std::vector<std::string> drawn = every(names);
  const std::string sampled_note =
      stride == 1 ? std::string()
                  : fmt::format(
                        "<p class=\"note\">One task in every {} of the {} is drawn; the table of "
                        "tasks below lists them all.</p>\n",
                        stride, names.size());

  std::string body;
  body += fmt::format(
      "<h1>{} · {}</h1>\n<p class=\"note\">seed {} · run directory <code>{}</code>"
      " · state hash <code>{}</code></p>\n",
      esc(run.scenario), esc(run.strategy), run.seed, esc(run_dir),
      esc(run.state_hash.empty() ? "–" : run.state_hash));
  if (!run.complete) {
    body += fmt::format(
        "<p class=\"warning\">This run is not complete: {} of {} task visits were committed. "
        "Continue it with <code>evostream resume {}</code>.</p>\n",
        run.events_done, run.events_total, esc(run_dir));
  }
  if (run.simulated) {
    body +=
        "<p class=\"warning\">Simulated run: candidates trained with the cost and quality model "
        "of the scenario's <code>[simulation]</code> table. Accuracies are simulated and "
        "training seconds virtual; parameters, paths and the orchestration are real.</p>\n";
  }
  if (run.offline) {
    body += fmt::format(
        "<p class=\"note\">Offline upper bound: {} trained one model on every task of the "
        "stream at its first task visit, then trained nothing. It is not a continual learner "
        "(it needs the whole stream in advance), so its BWT of 0 says nothing about forgetting; "
        "read it as the multi-task bound the continual strategies are measured against.</p>\n",
        esc(run.strategy));
  }
  const auto changed = std::count_if(run.tasks.begin(), run.tasks.end(),
                                     [](const auto& t) { return !t.predictions_identical; });
  if (changed > 0) {
    body += fmt::format(
        "<p class=\"note\">Old tasks' predictions changed ({} of {} tasks): {} is not immutable "
        "— it serves earlier tasks with parameters trained later — so BWT and forgetting "
        "measure what it forgot.</p>\n",
        changed, run.tasks.size(), esc(run.strategy));
  }
  body += "<div class=\"cards\">";
  body += card("average test accuracy", pct(run.average_accuracy) + "%");
  body += card("BWT", fmt::format("{:+.2f} points", 100.0 * run.bwt + 0.0));
  body +=
      card("forgetting (max-based)", fmt::format("{:.2f} ({:.2f})", 100.0 * run.forgetting + 0.0,
                                                 100.0 * run.max_forgetting + 0.0));
  body += card("params per task", SvgCharts::count(run.params_per_task));
  body += card("params serving all tasks", SvgCharts::count(static_cast<double>(run.total_params)));
  body += card("tasks", std::to_string(run.tasks.size()));
  body += card("wall time", fmt::format("{:.0f} s", run.wall_seconds));
  body += card("training", fmt::format("{:.0f} s", run.train_seconds));
  body += "</div>\n";

  if (!others.empty()) {
    body +=
        "<h2>Runs compared</h2>\n<table><tr><th>run</th><th>avg test acc %</th><th>BWT</th>"
        "<th>max forgetting</th><th>params/task</th><th>params serving all</th>"
        "<th>training s</th></tr>\n";
    for (size_t i = 0; i < runs.size(); ++i) {
      const auto& r = *runs[i];
      body += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{:+.2f}</td><td>{:.2f}</td><td>{:.0f}</td><td>{}</td>"
          "<td>{:.0f}</td></tr>\n",
          esc(label(i)), pct(r.average_accuracy), 100.0 * r.bwt + 0.0,
          100.0 * r.max_forgetting + 0.0, r.params_per_task, r.total_params, r.train_seconds);
    }
    body += "</table>\n";
  }

  body +=
      "<h2>Accuracy matrix</h2>\n<p class=\"note\">Row <i>i</i>: test accuracy on every task "
      "learned so far, measured right after the <i>i</i>-th task visit. A column that keeps "
      "its colour down the rows was not forgotten.</p>\n<div class=\"figures\">";
  body += SvgCharts::heat_map("accuracy-matrix", run.matrix);
  body += "</div>\n";

  // The usual continual-learning curve: after each task visit, the mean accuracy over the tasks
  // learned so far (each compared run by its own rows, aligned by visit).
  {
    const size_t rows = run.matrix.rows();
    const size_t row_stride = std::max<size_t>(1, (rows + kMostDrawn - 1) / kMostDrawn);
    std::vector<size_t> shown;
    for (size_t i = rows == 0 ? 0 : (rows - 1) % row_stride; i < rows; i += row_stride)
      shown.push_back(i);
    std::vector<std::string> visits;
    for (size_t i : shown)
      visits.push_back(
          fmt::format("after {}", run.matrix.tasks()[static_cast<size_t>(run.matrix.learned(i))]));
    std::vector<Series> average;
    for (size_t r = 0; r < runs.size(); ++r) {
      std::vector<std::optional<double>> values;
      for (size_t i : shown) {
        values.push_back(i < runs[r]->matrix.rows()
                             ? std::optional<double>(runs[r]->matrix.average_accuracy(i))
                             : std::nullopt);
      }
      average.push_back({label(r), ModelGraph::colour(static_cast<int64_t>(r) + 1), values});
    }
    body +=
        "<h2>Average accuracy as tasks arrive</h2>\n<p class=\"note\">After each task visit, "
        "the mean test accuracy over the tasks learned so far (a row of the matrix above).</p>\n";
    if (row_stride > 1) {
      body += fmt::format("<p class=\"note\">One visit in every {} of the {} is drawn.</p>\n",
                          row_stride, rows);
    }
    body += "<div class=\"figures\">" +
            SvgCharts::lines("average-accuracy", visits, average, "average test accuracy",
                             SvgCharts::percent, std::make_pair(0.0, 1.0)) +
            "</div>\n";
  }

  std::vector<Series> accuracy;
  std::vector<Series> seconds;
  std::vector<Series> store;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string colour = ModelGraph::colour(static_cast<int64_t>(i) + 1);
    accuracy.push_back({label(i), colour,
                        by_task(*runs[i], drawn, [](const auto& t) { return t.test_accuracy; })});
    seconds.push_back({label(i), colour,
                       by_task(*runs[i], drawn, [](const auto& t) { return t.train_seconds; })});
    // The store as tasks arrive: the root, then each task's additions.
    double total = static_cast<double>(runs[i]->store_params);
    for (const auto& t : runs[i]->tasks)
      total -= static_cast<double>(t.params_added);
    std::vector<std::optional<double>> cumulative;
    for (const auto& v : by_task(
             *runs[i], names, [](const auto& t) { return static_cast<double>(t.params_added); })) {
      total += v.value_or(0.0);
      cumulative.push_back(v ? std::optional<double>(total) : std::nullopt);
    }
    store.push_back({label(i), colour, every(cumulative)});
  }
  body += "<h2>Test accuracy per task</h2>\n<p class=\"note\">At the end of the run";
  body += others.empty() ? ".</p>\n" : ", each run's bar beside the others'.</p>\n";
  body += sampled_note;
  body += "<div class=\"figures\">" +
          SvgCharts::bars("task-accuracy", drawn, accuracy, "test accuracy", SvgCharts::percent,
                          std::make_pair(0.0, 1.0)) +
          "</div>\n";

  body +=
      "<h2>Parameters</h2>\n<p class=\"note\">Accounted: each component's parameters split "
      "among the tasks whose paths use it. Added: parameters of the components the task "
      "created.</p>\n";
  body += sampled_note + "<div class=\"figures\">";
  // Alone, a run shows accounted and added parameters; beside others, each run's accounted
  // ones, so that every run is on the chart.
  std::vector<Series> params;
  if (others.empty()) {
    params = {{"accounted", ModelGraph::colour(1),
               by_task(run, drawn, [](const auto& t) { return t.accounted_params; })},
              {"added", ModelGraph::colour(2), by_task(run, drawn, [](const auto& t) {
                 return static_cast<double>(t.params_added);
               })}};
  } else {
    for (size_t i = 0; i < runs.size(); ++i) {
      params.push_back(
          {label(i) + " · accounted", ModelGraph::colour(static_cast<int64_t>(i) + 1),
           by_task(*runs[i], drawn, [](const auto& t) { return t.accounted_params; })});
    }
  }
  body += SvgCharts::bars("task-params", drawn, params, "parameters per task", SvgCharts::count);
  body +=
      "</div>\n<p class=\"note\">Parameters in the store (root included) after each task "
      "arrives.</p>\n<div class=\"figures\">";
  body += SvgCharts::lines("cumulative-params", drawn, store, "parameters in the store",
                           SvgCharts::count);
  body += "</div>\n";

  body +=
      "<h2>Time per task</h2>\n<p class=\"note\">Seconds spent training the task's "
      "candidates.</p>\n";
  body += sampled_note + "<div class=\"figures\">";
  body += SvgCharts::bars("task-seconds", drawn, seconds, "training seconds", SvgCharts::seconds);
  body += "</div>\n";

  // Without task labels: how often each task was inferred, and the accuracy that gave.
  if (run.inferred_average_accuracy) {
    std::vector<std::string> inferred_tasks;
    std::vector<std::optional<double>> inferred;
    std::vector<std::optional<double>> with_inferred;
    for (const auto& t : run.tasks) {
      if (!t.inferred_accuracy)
        continue;
      inferred_tasks.push_back(t.name);
      inferred.push_back(t.task_inference_accuracy);
      with_inferred.push_back(t.inferred_accuracy.value_or(0.0));
    }
    body += fmt::format(
        "<h2>Without task labels</h2>\n<p class=\"note\">{}, the average accuracy is {}% (with "
        "the task given: {}%).</p>\n<div class=\"figures\">",
        run.task_inference_accuracy
            ? fmt::format("Each test batch's task inferred from its images among the learned "
                          "tasks: right for {}% of the batches on average; predicted by the "
                          "inferred task's path",
                          SvgCharts::percent(*run.task_inference_accuracy))
            : std::string("Each test batch predicted with coefficients over the impressions "
                          "fitted to it (no task chosen)"),
        SvgCharts::percent(*run.inferred_average_accuracy),
        SvgCharts::percent(run.average_accuracy));
    const std::vector<Series> series = {
        {"task inferred", ModelGraph::colour(1), inferred},
        {"accuracy, task inferred", ModelGraph::colour(2), with_inferred}};
    body += SvgCharts::bars("task-inference", inferred_tasks, series, "share", SvgCharts::percent,
                            std::make_pair(0.0, 1.0));
    body += "</div>\n";
  }
  // ImpressLearn: each task's coefficients over the impressions, layer by layer.
  std::vector<std::string> alpha_tasks;
  std::vector<std::vector<double>> alphas;
  std::vector<std::string> alpha_columns;
  for (const auto& t : run.tasks) {
    if (t.coefficients.empty())
      continue;
    alpha_tasks.push_back(t.name);
    std::vector<double> row;
    for (const auto& layer : t.coefficients)
      row.insert(row.end(), layer.begin(), layer.end());
    if (alpha_columns.empty()) {
      for (size_t l = 0; l < t.coefficients.size(); ++l) {
        for (size_t i = 0; i < t.coefficients[l].size(); ++i)
          alpha_columns.push_back(fmt::format("layer {} α{}", l, i));
      }
    }
    alphas.push_back(std::move(row));
  }
  if (!alphas.empty()) {
    body += grid_section("Coefficients of the impressions",
                         "ImpressLearn: each task's α per layer over the frozen basis masks, W ⊙ Σ "
                         "α<sub>i</sub> M<sub>i</sub>.",
                         SvgCharts::value_grid("coefficients", alpha_tasks, alpha_columns, alphas,
                                               "α: blue positive, red negative, darker with |α|"));
  }

  // The search of the tasks learned last: each candidate against its generation.
  if (!searches.empty()) {
    std::map<std::string, std::string> committed;
    for (const auto& t : run.tasks)
      committed[t.name] = t.path.name;
    body += fmt::format(
        "<h2>The search</h2>\n<p class=\"note\">The candidates of the {} task{} learned last, "
        "by generation and validation accuracy: kept ones green, dropped ones grey, the "
        "committed path ringed in red, each linked to its parent (the squares left of "
        "generation 0 are the paths the search started from). Hover a point for its name, "
        "parent, score, trained parameters and what its mutations changed.</p>\n<div "
        "class=\"figures searches\">",
        searches.size(), searches.size() == 1 ? "" : "s");
    for (size_t i = 0; i < searches.size(); ++i) {
      const auto& [task, points] = searches[i];
      body += search_chart(fmt::format("search-{}", i), task, points, committed[task]);
    }
    body += "</div>\n";
    body += training_curves(searches, committed);
  }
  body += root_training(history.root);

  // Mod-Squad: which experts each task's routers select, per MoE layer.
  std::vector<std::string> usage_tasks;
  std::vector<size_t> experts_per_layer;
  for (const auto& t : run.tasks) {
    for (size_t l = 0; l < t.expert_usage.size(); ++l) {
      if (experts_per_layer.size() <= l)
        experts_per_layer.push_back(0);
      experts_per_layer[l] = std::max(experts_per_layer[l], t.expert_usage[l].size());
    }
  }
  std::vector<std::string> usage_columns;
  for (size_t l = 0; l < experts_per_layer.size(); ++l) {
    for (size_t e = 0; e < experts_per_layer[l]; ++e)
      usage_columns.push_back(fmt::format("L{} e{}", l + 1, e));
  }
  std::vector<std::vector<double>> usage;
  for (const auto& t : run.tasks) {
    if (t.expert_usage.empty())
      continue;
    usage_tasks.push_back(t.name);
    std::vector<double> row;
    for (size_t l = 0; l < experts_per_layer.size(); ++l) {
      const std::vector<double> none;
      const auto& shares = l < t.expert_usage.size() ? t.expert_usage[l] : none;
      for (size_t e = 0; e < experts_per_layer[l]; ++e)
        row.push_back(e < shares.size() ? shares[e] : std::nan(""));  // not on its router
    }
    usage.push_back(std::move(row));
  }
  if (!usage.empty()) {
    // Which layers mix attention heads (the same on every task's path).
    std::vector<std::string> attention_layers;
    for (const auto& t : run.tasks) {
      if (t.expert_layers.size() != experts_per_layer.size())
        continue;
      for (size_t l = 0; l < t.expert_layers.size(); ++l) {
        if (t.expert_layers[l] == "attention")
          attention_layers.push_back(fmt::format("L{}", l + 1));
      }
      break;
    }
    const std::string kinds =
        attention_layers.empty()
            ? std::string("every layer mixes MLP experts")
            : fmt::format(
                  "{} mix{} attention experts (query and output projections), the "
                  "others MLP experts",
                  fmt::join(attention_layers, ", "), attention_layers.size() == 1 ? "es" : "");
    body += grid_section(
        "Expert usage",
        "Mod-Squad: the share of each task's top-k selections that went to each expert, per MoE "
        "layer, on the task's training images when it committed (each layer's row sums to 1). "
        "Columns: L<i>n</i> e<i>k</i> is expert <i>k</i> of the <i>n</i>-th MoE layer, in "
        "router order: earlier tasks' experts first, then the ones the task added; " +
            kinds + ".",
        SvgCharts::value_grid("expert-usage", usage_tasks, usage_columns, usage,
                              "share of the selections: darker is used more; grey: not on the "
                              "task's router"));
  }

  body +=
      "<h2>Model graph</h2>\n<p class=\"note\">Every component the tasks' paths run through, "
      "in forward order from left to right, drawn at full size (scroll sideways when it is "
      "wider than the page). Hover a box or a line for its name. "
      "<code>evostream report --dot</code> prints the same graph for Graphviz.</p>\n";
  if (names.size() <= kMostDrawn) {
    body += "<div class=\"figures\">" + ModelGraph(run).svg() + "</div>\n";
  } else {
    body += fmt::format(
        "<p class=\"note\">Not drawn for {} tasks (more than {}): the page would not show it. "
        "<code>evostream report {} --dot</code> writes it for Graphviz.</p>\n",
        names.size(), kMostDrawn, esc(run_dir));
  }

  body +=
      "<h2>Tasks</h2>\n<table id=\"tasks\"><tr><th>task</th><th>classes</th><th>test %</th>"
      "<th>right after learning %</th><th>validation %</th><th>forgetting</th>"
      "<th>accounted params</th><th>added</th><th>MFLOPs/example</th><th>train s</th>"
      "<th>candidates</th><th>old predictions identical</th></tr>\n";
  for (const auto& t : run.tasks) {
    body += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0f}</td>"
        "<td>{}</td><td>{:.2f}</td><td>{:.1f}</td><td>{}</td><td>{}</td></tr>\n",
        esc(t.name), t.classes, pct(t.test_accuracy), pct(t.accuracy_after_learning),
        pct(t.validation_accuracy), t.forgetting ? pct(*t.forgetting) : std::string("–"),
        t.accounted_params, t.params_added, t.inference_flops / 1e6, t.train_seconds, t.candidates,
        t.predictions_identical ? "yes" : "no");
  }
  body += "</table>\n";

  for (size_t i = 0; i < confusions.size(); ++i) {
    const Confusion& c = confusions[i];
    body += grid_section(
        "Confusion matrix of " + esc(c.task),
        fmt::format("The test images of task {}, classified by its committed path at the end "
                    "of the run ({} of {} right, {}): a row per true class, a column per "
                    "predicted class, each cell shaded by its share of the row.",
                    esc(c.task), c.right(), c.total(), SvgCharts::percent(c.accuracy())),
        confusion_chart(fmt::format("confusion-{}", i), c));
  }

  if (!transfer.empty())
    body += transfer_section(transfer);

  body += recipe_section(run);

  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>evostream report: {} · {}</title>\n<style>{}</style>\n</head>\n<body>\n{}"
      "<p class=\"note\">Written by <code>evostream report</code> from <code>results.json</code>."
      "</p>\n</body>\n</html>\n",
      esc(run.scenario), esc(run.strategy), kStyle, body);
}

}  // namespace evostream::report
