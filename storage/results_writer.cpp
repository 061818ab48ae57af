#include "storage/results_writer.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "storage/json_fields.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

using Json = JsonFields::Json;

}  // namespace

std::string ResultsWriter::json(const model::RunResults& r) {
  Json matrix = Json::array();
  Json learned = Json::array();
  for (size_t i = 0; i < r.matrix.rows(); ++i) {
    Json row = Json::array();
    for (size_t j = 0; j < r.matrix.tasks().size(); ++j)
      row.push_back(JsonFields::optional_number(r.matrix.at(i, j)));
    matrix.push_back(row);
    learned.push_back(r.matrix.tasks()[static_cast<size_t>(r.matrix.learned(i))]);
  }
  Json tasks = Json::array();
  for (const auto& t : r.tasks) {
    tasks.push_back(Json{{"name", t.name},
                         {"classes", t.classes},
                         {"test_accuracy", t.test_accuracy},
                         {"accuracy_after_learning", t.accuracy_after_learning},
                         {"validation_accuracy", t.validation_accuracy},
                         {"score", t.score},
                         {"accounted_params", t.accounted_params},
                         {"params_added", t.params_added},
                         {"path_params", t.path_params},
                         {"inference_flops", t.inference_flops},
                         {"train_seconds", t.train_seconds},
                         {"candidates", t.candidates},
                         {"forgetting", JsonFields::optional_number(t.forgetting)},
                         {"max_forgetting", JsonFields::optional_number(t.max_forgetting)},
                         {"predictions_identical", t.predictions_identical},
                         {"predictions_hash", t.predictions_hash},
                         {"path", JsonFields::path(t.path)}});
  }
  const Json doc{{"format", "evostream-results"},
                 {"version", 1},
                 {"scenario", r.scenario},
                 {"strategy", r.strategy},
                 {"seed", r.seed},
                 {"average_accuracy", r.average_accuracy},
                 {"bwt", r.bwt},
                 {"forgetting", r.forgetting},
                 {"max_forgetting", r.max_forgetting},
                 {"params_per_task", r.params_per_task},
                 {"total_params", r.total_params},
                 {"store_params", r.store_params},
                 {"root_params", r.root_params},
                 {"store_hash", r.store_hash},
                 {"state_hash", r.state_hash},
                 {"complete", r.complete},
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
                 {"tasks", tasks}};
  return doc.dump(2) + "\n";
}

std::string ResultsWriter::csv(const model::RunResults& r) {
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
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out)
      throw StorageError(tmp, "cannot be written");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw StorageError(path, "cannot be replaced by " + tmp);
}

}  // namespace evostream::storage
