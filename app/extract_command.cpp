#include "app/extract_command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "app/task_model.hpp"
#include "model/nn/model_family.hpp"
#include "model/strategies/mod_squad/expert_extraction.hpp"
#include "model/train/evaluator.hpp"
#include "storage/component_file.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double percent(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

int ExtractCommand::run(std::ostream& out, std::ostream& err) const {
  if (!ends_with(options_.out, ".h5")) {
    throw std::invalid_argument(
        fmt::format("--out: expected a component file ending in .h5, found \"{}\"", options_.out));
  }
  if (options_.task == "root")
    throw std::invalid_argument(
        "--task: expected a task of the run, found root (it has no "
        "router of its own to extract by)");
  const TaskModel m = TaskModel::load(options_.run_dir, options_.task, err);
  const model::ExpertExtraction x =
      model::ExpertExtraction::extract(m.store, m.path, options_.thresh);
  const auto& arch = m.scenario.root.architecture;
  storage::FileExtras extras;
  extras.texts["extracted_from"] =
      fmt::format("run {}, task {}, path {}, thresh {}", options_.run_dir, options_.task,
                  m.path.name, options_.thresh);
  storage::ComponentFile::write(options_.out, arch, x.components, extras);

  for (size_t j = 0; j < x.kept.size(); ++j) {
    out << fmt::format("MoE layer {}: kept {} of {} experts ({})\n", j, x.kept[j].size(),
                       x.experts[j], fmt::join(x.kept[j], " "));
  }
  int64_t extracted = 0;
  for (const auto& c : x.components)
    extracted += c.num_params();
  const auto handles = m.store.resolve(m.path.ids);
  int64_t path = 0;
  for (const auto& h : handles)
    path += h->num_params();
  out << fmt::format(
      "parameters: extracted {} ({:.1f}% of the task's path, {:.1f}% of the model serving "
      "the run's tasks), task's path {}, serving model {}; file {} bytes\n",
      extracted, percent(extracted, path), percent(extracted, m.serving_params), path,
      m.serving_params, std::filesystem::file_size(options_.out));

  const streams::TaskData task = streams::TaskBuilder(m.scenario).build(m.task);
  const auto family = model::ModelFamily::of(arch);
  const auto whole_f = family->bind(model::pointers(handles), m.path.recipe.image_size);
  std::vector<const model::Component*> parts;
  for (const auto& c : x.components)
    parts.push_back(&c);
  const auto extracted_f = family->bind(parts, m.path.recipe.image_size);
  const model::Evaluation whole = model::Evaluator::evaluate(*whole_f, task.test);
  const model::Evaluation alone = model::Evaluator::evaluate(*extracted_f, task.test);
  int64_t same = 0;
  for (size_t i = 0; i < whole.predictions.size(); ++i)
    same += whole.predictions[i] == alone.predictions[i] ? 1 : 0;
  const auto n = static_cast<int64_t>(whole.predictions.size());
  out << fmt::format(
      "test split ({} images): extracted {:.2f}%, whole model {:.2f}%; same prediction on {} "
      "({:.2f}%)\n",
      n, 100.0 * alone.accuracy, 100.0 * whole.accuracy, same, percent(same, n));
  out << fmt::format("wrote the extracted model of task {} to {}\n", options_.task, options_.out);
  return 0;
}

}  // namespace evostream::app
