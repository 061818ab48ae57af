#include "app/task_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "config/scenario_parser.hpp"
#include "storage/run_directory.hpp"
#include "streams/dataset_registry.hpp"

namespace evostream::app {

TaskModel TaskModel::load(const std::string& run_dir, const std::string& name, std::ostream& err) {
  const storage::RunDirectory dir(run_dir);
  storage::LoadedRun loaded = dir.load(false);
  for (const auto& w : loaded.warnings)
    err << "evostream: warning: " << w << "\n";
  TaskModel m;
  m.scenario = config::ScenarioParser::parse_file(dir.scenario_path(), {});
  const auto& tasks = m.scenario.tasks;
  if (name == "root") {
    m.task.name = "root";
    m.path.name = "root";
    m.path.task = "root";
    for (const auto& c : loaded.root)
      m.path.ids.push_back(c.id());
  } else {
    const auto task =
        std::find_if(tasks.begin(), tasks.end(), [&](const auto& t) { return t.name == name; });
    if (task == tasks.end()) {
      std::vector<std::string> names;
      for (const auto& t : tasks)
        names.push_back(t.name);
      if (names.size() > 12) {
        names.resize(12);
        names.push_back("...");
      }
      throw std::invalid_argument(
          fmt::format("--task: expected a task of run {} ({}, or root), "
                      "found \"{}\"",
                      run_dir, fmt::join(names, ", "), name));
    }
    const auto path = loaded.progress.paths.find(name);
    if (path == loaded.progress.paths.end()) {
      throw std::invalid_argument(fmt::format(
          "--task: task \"{}\" of run {} is not learned yet ({} of {} task visits committed; "
          "continue it with `evostream resume {}`)",
          name, run_dir, loaded.progress.events_done, loaded.identity.events_total, run_dir));
    }
    m.task = *task;
    m.path = path->second;
  }
  m.commits = std::move(loaded.commits);
  m.store.commit("root", loaded.root);
  for (auto& c : loaded.components)
    m.store.commit(c.owner(), {c});
  std::set<std::string> serving;
  for (const auto& [task, p] : loaded.progress.paths)
    serving.insert(p.ids.begin(), p.ids.end());
  for (const auto& id : serving)
    m.serving_params += m.store.get(id)->num_params();
  return m;
}

std::vector<std::string> TaskModel::class_names() const {
  const config::DatasetSpec* dataset = task.name == "root" && scenario.root.pretrain
                                           ? scenario.find_dataset(scenario.root.pretrain->dataset)
                                           : scenario.find_dataset(task.dataset);
  const std::vector<int64_t>& classes = task.name == "root" && scenario.root.pretrain
                                            ? scenario.root.pretrain->classes
                                            : task.classes;
  if (dataset == nullptr)
    return {};
  std::vector<std::string> names = streams::DatasetRegistry::class_names(*dataset);
  if (classes.empty())
    return names;
  std::vector<std::string> kept;
  for (int64_t c : classes)
    kept.push_back(names.at(static_cast<size_t>(c)));
  return kept;
}

}  // namespace evostream::app
