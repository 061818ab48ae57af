#include "app/compare_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "report/report_page.hpp"
#include "storage/results_reader.hpp"

namespace evostream::app {

std::string CompareCommand::table(const std::vector<model::RunResults>& runs,
                                  const std::vector<std::string>& dirs) {
  const std::vector<std::string> labels = report::ReportPage::labels(runs, dirs);
  size_t width = 12;
  for (const auto& l : labels)
    width = std::max(width, l.size() + 2);
  for (const auto& r : runs)
    width = std::max(width, r.scenario.size() + 2);
  std::string out = fmt::format("{:<26}", "");
  for (const auto& l : labels)
    out += fmt::format("{:>{}}", l, width);
  out += "\n";
  auto row = [&](const std::string& name,
                 const std::function<std::string(const model::RunResults&)>& f) {
    out += fmt::format("{:<26}", name);
    for (const auto& r : runs)
      out += fmt::format("{:>{}}", f(r), width);
    out += "\n";
  };
  row("scenario", [](const auto& r) { return r.scenario; });
  row("seed", [](const auto& r) { return std::to_string(r.seed); });
  row("tasks", [](const auto& r) { return std::to_string(r.tasks.size()); });
  row("average test accuracy %",
      [](const auto& r) { return fmt::format("{:.2f}", 100.0 * r.average_accuracy); });
  row("BWT (points)", [](const auto& r) { return fmt::format("{:+.2f}", 100.0 * r.bwt + 0.0); });
  row("forgetting",
      [](const auto& r) { return fmt::format("{:.2f}", 100.0 * r.forgetting + 0.0); });
  row("max-based forgetting",
      [](const auto& r) { return fmt::format("{:.2f}", 100.0 * r.max_forgetting + 0.0); });
  row("params per task", [](const auto& r) { return fmt::format("{:.0f}", r.params_per_task); });
  row("params serving all", [](const auto& r) { return std::to_string(r.total_params); });
  row("training s", [](const auto& r) { return fmt::format("{:.0f}", r.train_seconds); });
  row("wall s", [](const auto& r) { return fmt::format("{:.0f}", r.wall_seconds); });
  row("complete", [](const auto& r) {
    return r.complete ? std::string("yes") : fmt::format("{}/{}", r.events_done, r.events_total);
  });

  // Test accuracy per task, over the union of the runs' tasks in first-seen order.
  std::vector<std::string> names;
  for (const auto& r : runs) {
    for (const auto& t : r.tasks) {
      if (std::find(names.begin(), names.end(), t.name) == names.end())
        names.push_back(t.name);
    }
  }
  out += fmt::format("\ntest accuracy % per task\n");
  for (const auto& name : names) {
    row(name, [&](const model::RunResults& r) {
      for (const auto& t : r.tasks) {
        if (t.name == name)
          return fmt::format("{:.2f}", 100.0 * t.test_accuracy);
      }
      return std::string("-");
    });
  }
  return out;
}

int CompareCommand::run(std::ostream& out) const {
  std::vector<model::RunResults> runs;
  for (const auto& dir : run_dirs_)
    runs.push_back(storage::ResultsReader::read_run(dir));
  out << table(runs, run_dirs_);
  return 0;
}

}  // namespace evostream::app
