#include "app/report_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>

#include "app/search_history.hpp"
#include "app/task_model.hpp"
#include "app/tensorboard_export.hpp"
#include "model/nn/model_family.hpp"
#include "model/train/evaluator.hpp"
#include "report/model_graph.hpp"
#include "report/report_page.hpp"
#include "storage/results_reader.hpp"
#include "storage/results_writer.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

// Tasks whose search the report draws: the last ones started.
constexpr size_t kSearchesDrawn = 6;

}  // namespace

int ReportCommand::run(std::ostream& out, std::ostream& err) const {
  const std::string& dir = options_.run_dir;
  if (options_.dot) {
    out << report::ModelGraph(storage::ResultsReader::read_run(dir)).dot();
    return 0;
  }
  std::vector<report::Confusion> confusions;
  for (const auto& task : options_.confusions)
    confusions.push_back(confusion(dir, task, err));
  std::vector<model::TaskTransfer> transfers;
  if (options_.transfer) {
    transfers = transfer(dir, err);
    const std::optional<double> mean = model::ForwardTransfer::mean(transfers);
    const auto measured = std::count_if(transfers.begin(), transfers.end(),
                                        [](const auto& t) { return t.missing.empty(); });
    if (mean) {
      out << fmt::format("forward transfer (linear probes, mean over {} tasks): {:+.2f} points\n",
                         measured, 100.0 * *mean);
    } else {
      out << "forward transfer: no task has figures (the run learned fewer than two tasks, or "
             "no earlier path takes a later task's images)\n";
    }
  }
  out << fmt::format("report written to {}\n", write(dir, options_.others, confusions, transfers));
  return 0;
}

report::Confusion ReportCommand::confusion(const std::string& run_dir, const std::string& task,
                                           std::ostream& err) {
  if (task == "root") {
    throw std::invalid_argument(
        "--confusion: expected a task of the run, found root (its pretraining is not a task)");
  }
  const TaskModel m = [&] {
    try {
      return TaskModel::load(run_dir, task, err);
    } catch (const std::invalid_argument& e) {  // its messages name predict's option
      const std::string what = e.what();
      const std::string option = "--task: ";
      throw std::invalid_argument(
          what.rfind(option, 0) == 0 ? "--confusion: " + what.substr(option.size()) : what);
    }
  }();
  const streams::TaskData data = streams::TaskBuilder(m.scenario).build(m.task);
  const auto handles = m.store.resolve(m.path.ids);
  const auto f = model::ModelFamily::of(m.scenario.root.architecture)
                     ->bind(model::pointers(handles), m.path.recipe.image_size);
  const model::Evaluation e = model::Evaluator::evaluate(*f, data.test);
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < data.test.size(); ++i)
    labels.push_back(data.test.label(i));
  std::vector<std::string> names = m.class_names();
  if (static_cast<int64_t>(names.size()) != data.num_classes) {  // a dataset without names
    names.clear();
    for (int64_t k = 0; k < data.num_classes; ++k)
      names.push_back(std::to_string(k));
  }
  return report::Confusion::of(task, names, labels, e.predictions);
}

std::vector<model::TaskTransfer> ReportCommand::transfer(const std::string& run_dir,
                                                         std::ostream& err) {
  const TaskModel m = TaskModel::load(run_dir, "root", err);
  if (m.scenario.simulated()) {
    throw std::invalid_argument(
        fmt::format("--transfer: run {} trained in simulation: it has no model to probe", run_dir));
  }
  const auto family = model::ModelFamily::of(m.scenario.root.architecture);
  std::set<std::string> seen;
  std::vector<std::pair<size_t, const config::TaskSpec*>> firsts;  // commit, task
  for (size_t k = 0; k < m.commits.size(); ++k) {
    const std::string& name = m.commits[k].task;
    if (!seen.insert(name).second || k == 0)
      continue;
    const auto spec = std::find_if(m.scenario.tasks.begin(), m.scenario.tasks.end(),
                                   [&](const auto& t) { return t.name == name; });
    if (spec != m.scenario.tasks.end())
      firsts.emplace_back(k, &*spec);
  }
  std::vector<model::TaskTransfer> out;
  streams::TaskBuilder builder(m.scenario);
  for (const auto& [k, spec] : firsts) {
    err << fmt::format("forward transfer: probing {} ({} of {})\n", spec->name, out.size() + 1,
                       firsts.size());
    out.push_back(model::ForwardTransfer::measure(*family, m.store, m.path, m.commits[k - 1],
                                                  builder.build(*spec)));
  }
  return out;
}

std::string ReportCommand::write(const std::string& run_dir, const std::vector<std::string>& others,
                                 const std::vector<report::Confusion>& confusions,
                                 const std::vector<model::TaskTransfer>& transfer) {
  std::vector<model::RunResults> runs{storage::ResultsReader::read_run(run_dir)};
  for (const auto& dir : others)
    runs.push_back(storage::ResultsReader::read_run(dir));
  std::vector<std::string> dirs{run_dir};
  dirs.insert(dirs.end(), others.begin(), others.end());
  const std::vector<model::RunResults> beside(runs.begin() + 1, runs.end());
  const std::string path = run_dir + "/report.html";
  storage::ResultsWriter::write_text(
      path, report::ReportPage::html(
                runs.front(), beside, report::ReportPage::labels(runs, dirs), run_dir,
                read_history(run_dir + "/events.jsonl", kSearchesDrawn), confusions, transfer));
  write_tensorboard(run_dir);
  return path;
}

}  // namespace evostream::app
