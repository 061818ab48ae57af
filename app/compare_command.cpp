#include "app/compare_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/csv_field.hpp"
#include "report/report_page.hpp"
#include "storage/results_reader.hpp"

namespace evostream::app {

namespace {

using Runs = std::vector<model::RunResults>;

// One compared number: its row name, how a run gives it, and how it is printed.
struct Metric {
  std::string name;
  std::string key;  // in JSON
  std::function<double(const model::RunResults&)> of;
  const char* format;  // for one run; mean ± std use it for both
};

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> all = {
      {"average test accuracy %", "average_accuracy",
       [](const auto& r) { return 100.0 * r.average_accuracy; }, "{:.2f}"},
      {"BWT (points)", "bwt", [](const auto& r) { return 100.0 * r.bwt + 0.0; }, "{:+.2f}"},
      {"forgetting", "forgetting", [](const auto& r) { return 100.0 * r.forgetting + 0.0; },
       "{:.2f}"},
      {"max-based forgetting", "max_forgetting",
       [](const auto& r) { return 100.0 * r.max_forgetting + 0.0; }, "{:.2f}"},
      {"params per task", "params_per_task", [](const auto& r) { return r.params_per_task; },
       "{:.0f}"},
      {"params serving all", "total_params",
       [](const auto& r) { return static_cast<double>(r.total_params); }, "{:.0f}"},
      {"training s", "train_seconds", [](const auto& r) { return r.train_seconds; }, "{:.0f}"},
      {"wall s", "wall_seconds", [](const auto& r) { return r.wall_seconds; }, "{:.0f}"},
  };
  return all;
}

// The test accuracy (%) of task `name` in `r`, if it has the task.
std::optional<double> task_accuracy(const model::RunResults& r, const std::string& name) {
  for (const auto& t : r.tasks) {
    if (t.name == name)
      return 100.0 * t.test_accuracy;
  }
  return std::nullopt;
}

// The union of the runs' tasks in first-seen order.
std::vector<std::string> task_names(const Runs& runs) {
  std::vector<std::string> names;
  for (const auto& r : runs) {
    for (const auto& t : r.tasks) {
      if (std::find(names.begin(), names.end(), t.name) == names.end())
        names.push_back(t.name);
    }
  }
  return names;
}

// Runs of one scenario and strategy, by their positions in `runs`.
struct Group {
  std::string scenario;
  std::string strategy;
  std::vector<size_t> members;
};

std::vector<Group> seed_groups(const Runs& runs) {
  std::vector<Group> groups;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
      return x.scenario == runs[i].scenario && x.strategy == runs[i].strategy;
    });
    if (g == groups.end())
      groups.push_back({runs[i].scenario, runs[i].strategy, {i}});
    else
      g->members.push_back(i);
  }
  groups.erase(std::remove_if(groups.begin(), groups.end(),
                              [](const Group& g) { return g.members.size() < 2; }),
               groups.end());
  return groups;
}

struct MeanStd {
  double mean = 0.0;
  double std = 0.0;
};

MeanStd mean_std(const std::vector<double>& v) {
  MeanStd m;
  for (double x : v)
    m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v)
    m.std += (x - m.mean) * (x - m.mean);
  m.std = v.size() > 1 ? std::sqrt(m.std / static_cast<double>(v.size() - 1)) : 0.0;
  return m;
}

// The values of `of` over the group's members that have one.
std::vector<double> values(
    const Runs& runs, const Group& g,
    const std::function<std::optional<double>(const model::RunResults&)>& of) {
  std::vector<double> out;
  for (size_t i : g.members) {
    if (const auto v = of(runs[i]))
      out.push_back(*v);
  }
  return out;
}

std::string format_value(const char* format, double v) {
  return fmt::format(fmt::runtime(format), v);
}

std::string format_mean_std(const char* format, const std::vector<double>& v) {
  if (v.empty())
    return "-";
  const MeanStd m = mean_std(v);
  // The spread in the metric's own precision, without its sign.
  std::string spread = format;
  spread.erase(std::remove(spread.begin(), spread.end(), '+'), spread.end());
  return format_value(format, m.mean) + " ± " + format_value(spread.c_str(), m.std);
}

std::string group_label(const Group& g) {
  return fmt::format("mean ± std ({} seeds)", g.members.size());
}

}  // namespace

std::string CompareCommand::warning(const Runs& runs) {
  std::vector<std::string> scenarios;
  for (const auto& r : runs) {
    if (std::find(scenarios.begin(), scenarios.end(), r.scenario) == scenarios.end())
      scenarios.push_back(r.scenario);
  }
  if (scenarios.size() < 2)
    return "";
  std::string names;
  for (const auto& s : scenarios)
    names += (names.empty() ? "" : ", ") + s;
  return fmt::format(
      "the runs come from different scenarios ({}): their tasks and metrics "
      "are not measured on the same stream",
      names);
}

std::string CompareCommand::table(const Runs& runs, const std::vector<std::string>& dirs) {
  const std::vector<std::string> labels = report::ReportPage::labels(runs, dirs);
  const std::vector<Group> groups = seed_groups(runs);
  size_t width = 12;
  for (const auto& l : labels)
    width = std::max(width, l.size() + 2);
  for (const auto& r : runs)
    width = std::max(width, r.scenario.size() + 2);
  const size_t group_width = 24;
  std::string out = fmt::format("{:<26}", "");
  for (const auto& l : labels)
    out += fmt::format("{:>{}}", l, width);
  for (const auto& g : groups)
    out += fmt::format("{:>{}}", group_label(g), group_width);
  out += "\n";
  auto row = [&](const std::string& name,
                 const std::function<std::string(const model::RunResults&)>& f,
                 const std::function<std::string(const Group&)>& of_group) {
    out += fmt::format("{:<26}", name);
    for (const auto& r : runs)
      out += fmt::format("{:>{}}", f(r), width);
    for (const auto& g : groups)
      out += fmt::format("{:>{}}", of_group ? of_group(g) : "", group_width);
    out += "\n";
  };
  row(
      "scenario", [](const auto& r) { return r.scenario; },
      [](const Group& g) { return g.scenario; });
  row(
      "strategy", [](const auto& r) { return r.strategy; },
      [](const Group& g) { return g.strategy; });
  row(
      "seed", [](const auto& r) { return std::to_string(r.seed); }, nullptr);
  row(
      "tasks", [](const auto& r) { return std::to_string(r.tasks.size()); }, nullptr);
  for (const Metric& m : metrics()) {
    row(
        m.name, [&](const auto& r) { return format_value(m.format, m.of(r)); },
        [&](const Group& g) {
          return format_mean_std(m.format, values(runs, g, [&](const auto& r) {
                                   return std::optional<double>(m.of(r));
                                 }));
        });
  }
  // Runs tested without task labels also give the task-inference figures.
  const bool inferred = std::any_of(runs.begin(), runs.end(), [](const auto& r) {
    return r.inferred_average_accuracy.has_value();
  });
  auto percent_or_dash = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.2f}", 100.0 * *v) : std::string("-");
  };
  if (inferred) {
    row(
        "task inference %",
        [&](const auto& r) { return percent_or_dash(r.task_inference_accuracy); }, nullptr);
    row(
        "accuracy, task inferred %",
        [&](const auto& r) { return percent_or_dash(r.inferred_average_accuracy); }, nullptr);
  }
  row(
      "complete",
      [](const auto& r) {
        return r.complete ? std::string("yes")
                          : fmt::format("{}/{}", r.events_done, r.events_total);
      },
      nullptr);

  out += fmt::format("\ntest accuracy % per task\n");
  for (const auto& name : task_names(runs)) {
    row(
        name,
        [&](const model::RunResults& r) {
          const auto a = task_accuracy(r, name);
          return a ? fmt::format("{:.2f}", *a) : std::string("-");
        },
        [&](const Group& g) {
          return format_mean_std(
              "{:.2f}", values(runs, g, [&](const auto& r) { return task_accuracy(r, name); }));
        });
  }
  return out;
}

std::string CompareCommand::json(const Runs& runs, const std::vector<std::string>& dirs) {
  using Json = nlohmann::json;
  const std::vector<std::string> labels = report::ReportPage::labels(runs, dirs);
  Json out{{"runs", Json::array()}, {"groups", Json::array()}};
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    Json metrics_of = Json::object();
    for (const Metric& m : metrics())
      metrics_of[m.key] = m.of(r);
    if (r.task_inference_accuracy)
      metrics_of["task_inference_accuracy"] = 100.0 * *r.task_inference_accuracy;
    if (r.inferred_average_accuracy)
      metrics_of["inferred_average_accuracy"] = 100.0 * *r.inferred_average_accuracy;
    Json tasks = Json::object();
    for (const auto& t : r.tasks)
      tasks[t.name] = 100.0 * t.test_accuracy;
    out["runs"].push_back(Json{{"dir", dirs[i]},
                               {"label", labels[i]},
                               {"scenario", r.scenario},
                               {"strategy", r.strategy},
                               {"seed", r.seed},
                               {"complete", r.complete},
                               {"metrics", metrics_of},
                               {"test_accuracy", tasks}});
  }
  for (const Group& g : seed_groups(runs)) {
    Json seeds = Json::array();
    for (size_t i : g.members)
      seeds.push_back(runs[i].seed);
    Json mean = Json::object();
    Json std = Json::object();
    for (const Metric& m : metrics()) {
      const MeanStd s =
          mean_std(values(runs, g, [&](const auto& r) { return std::optional<double>(m.of(r)); }));
      mean[m.key] = s.mean;
      std[m.key] = s.std;
    }
    out["groups"].push_back(Json{{"scenario", g.scenario},
                                 {"strategy", g.strategy},
                                 {"seeds", seeds},
                                 {"mean", mean},
                                 {"std", std}});
  }
  return out.dump(2) + "\n";
}

std::string CompareCommand::csv(const Runs& runs, const std::vector<std::string>& dirs) {
  const std::vector<std::string> labels = report::ReportPage::labels(runs, dirs);
  const auto quote = [](const std::string& s) { return csv_field(s); };
  std::string out = "metric";
  for (const auto& l : labels)
    out += "," + quote(l);
  out += "\n";
  for (const Metric& m : metrics()) {
    out += quote(m.key);
    for (const auto& r : runs)
      out += fmt::format(",{}", m.of(r));
    out += "\n";
  }
  for (const auto& name : task_names(runs)) {
    out += quote("test_accuracy:" + name);
    for (const auto& r : runs) {
      const auto a = task_accuracy(r, name);
      out += a ? fmt::format(",{}", *a) : std::string(",");
    }
    out += "\n";
  }
  return out;
}

int CompareCommand::run(std::ostream& out, std::ostream& err) const {
  Runs runs;
  for (const auto& dir : run_dirs_)
    runs.push_back(storage::ResultsReader::read_run(dir));
  const std::string warn = warning(runs);
  if (!warn.empty())
    err << "evostream: warning: " << warn << "\n";
  switch (format_) {
    case CompareFormat::kJson:
      out << json(runs, run_dirs_);
      break;
    case CompareFormat::kCsv:
      out << csv(runs, run_dirs_);
      break;
    case CompareFormat::kTable:
      out << table(runs, run_dirs_);
      break;
  }
  return 0;
}

}  // namespace evostream::app
