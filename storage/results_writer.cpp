#include "storage/results_writer.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "storage/atomic_file.hpp"
#include "storage/json_fields.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

using Json = JsonFields::Json;

// Above this many cells (rows × tasks) the matrix is written only as its measured entries.
constexpr double kDenseCells = 250e3;

bool dense(const model::AccuracyMatrix& m) {
  return static_cast<double>(m.rows()) * static_cast<double>(m.tasks().size()) <= kDenseCells;
}

}  // namespace

std::string ResultsWriter::json(const model::RunResults& r) {
  Json matrix = dense(r.matrix) ? Json::array() : Json(nullptr);
  Json entries = Json::array();
  Json learned = Json::array();
  for (size_t i = 0; i < r.matrix.rows(); ++i) {
    if (matrix.is_array()) {
      Json row = Json::array();
      for (const auto& v : r.matrix.row(i))
        row.push_back(JsonFields::optional_number(v));
      matrix.push_back(row);
    }
    Json measured = Json::array();
    for (const auto& e : r.matrix.entries(i))
      measured.push_back(Json::array({e.task, e.accuracy}));
    entries.push_back(measured);
    learned.push_back(r.matrix.tasks()[static_cast<size_t>(r.matrix.learned(i))]);
  }
  Json tasks = Json::array();
  for (const auto& t : r.tasks) {
    tasks.push_back(
        Json{{"name", t.name},
             {"classes", t.classes},
             {"test_accuracy", t.test_accuracy},
             {"accuracy_after_learning", t.accuracy_after_learning},
             {"validation_accuracy", t.validation_accuracy},
             {"score", t.score},
             {"accounted_params", t.accounted_params},
             {"params_added", t.params_added},
             {"path_params", t.path_params},
             {"active_params", t.active_params},
             {"inference_flops", t.inference_flops},
             {"train_seconds", t.train_seconds},
             {"candidates", t.candidates},
             {"forgetting", JsonFields::optional_number(t.forgetting)},
             {"max_forgetting", JsonFields::optional_number(t.max_forgetting)},
             {"task_inference_accuracy", JsonFields::optional_number(t.task_inference_accuracy)},
             {"inferred_accuracy", JsonFields::optional_number(t.inferred_accuracy)},
             {"coefficients", t.coefficients},
             {"expert_usage", t.expert_usage},
             {"expert_layers", t.expert_layers},
             {"predictions_identical", t.predictions_identical},
             {"predictions_hash", t.predictions_hash},
             {"path", JsonFields::path(t.path)}});
  }
  const Json doc{
      {"format", "evostream-results"},
      {"version", 1},
      {"scenario", r.scenario},
      {"strategy", r.strategy},
      {"seed", r.seed},
      {"average_accuracy", r.average_accuracy},
      {"bwt", r.bwt},
      {"forgetting", r.forgetting},
      {"max_forgetting", r.max_forgetting},
      {"task_inference_accuracy", JsonFields::optional_number(r.task_inference_accuracy)},
      {"inferred_average_accuracy", JsonFields::optional_number(r.inferred_average_accuracy)},
      {"params_per_task", r.params_per_task},
      {"total_params", r.total_params},
      {"store_params", r.store_params},
      {"root_params", r.root_params},
      {"store_hash", r.store_hash},
      {"state_hash", r.state_hash},
      {"complete", r.complete},
      {"simulated", r.simulated},
      {"offline", r.offline},
      {"virtual_seconds", r.virtual_seconds},
      {"events_done", r.events_done},
      {"events_total", r.events_total},
      {"wall_seconds", r.wall_seconds},
      {"train_seconds", r.train_seconds},
      {"evaluation_seconds", r.evaluation_seconds},
      {"snapshot_seconds", r.snapshot_seconds},
      {"snapshot_bytes", r.snapshot_bytes},
      {"stream_seconds", r.stream_seconds},
      {"orchestration_seconds", r.orchestration_seconds},
      {"task_names", r.matrix.tasks()},
      {"accuracy_matrix_learned", learned},
      {"accuracy_matrix", matrix},
      {"accuracy_matrix_entries", entries},
      {"tasks", tasks}};
  return doc.dump(2) + "\n";
}

std::string ResultsWriter::csv(const model::RunResults& r) {
  if (!dense(r.matrix)) {
    // One line per measured entry; a learned task keeps its value until measured again.
    std::string text = "row,learned,task,accuracy\n";
    for (size_t i = 0; i < r.matrix.rows(); ++i) {
      const std::string& learned = r.matrix.tasks()[static_cast<size_t>(r.matrix.learned(i))];
      for (const auto& e : r.matrix.entries(i)) {
        text += fmt::format("{},{},{},{:.6f}\n", i, learned,
                            r.matrix.tasks()[static_cast<size_t>(e.task)], e.accuracy);
      }
    }
    return text;
  }
  std::string text = "learned";
  for (const auto& name : r.matrix.tasks())
    text += "," + name;
  text += "\n";
  for (size_t i = 0; i < r.matrix.rows(); ++i) {
    text += r.matrix.tasks()[static_cast<size_t>(r.matrix.learned(i))];
    for (size_t j = 0; j < r.matrix.tasks().size(); ++j) {
      const auto v = r.matrix.at(i, j);
      text += v ? fmt::format(",{:.6f}", *v) : ",";
    }
    text += "\n";
  }
  return text;
}

void ResultsWriter::write(const std::string& path, const model::RunResults& results) {
  write_text(path, json(results));
}

void ResultsWriter::write_text(const std::string& path, const std::string& text) {
  write_atomically(path, text.data(), text.size(), 0644);
}

}  // namespace evostream::storage
