#include "storage/progress_codec.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "storage/json_fields.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

using Json = JsonFields::Json;

}  // namespace

std::string ProgressCodec::encode(const RunIdentity& id, const model::RunProgress& p) {
  Json doc{{"scenario", id.scenario},
           {"strategy", id.strategy},
           {"seed", id.seed},
           {"events_total", id.events_total},
           {"events_done", p.events_done},
           {"train_seconds", p.train_seconds},
           {"evaluation_seconds", p.evaluation_seconds},
           {"wall_seconds", p.wall_seconds}};
  if (p.events_done == 0) {
    // The first snapshot names the stream's tasks.
    Json tasks = Json::array();
    for (const auto& t : p.tasks)
      tasks.push_back(Json{{"name", t.name}, {"classes", t.classes}});
    doc["tasks"] = tasks;
    return doc.dump(1);
  }
  // Later ones hold what their event changed: the task it learned, its path, its row.
  const int64_t learned = p.row_learned.back();
  const model::TaskResult& t = p.tasks.at(static_cast<size_t>(learned));
  Json row = Json::array();
  Json hashes = Json::array();
  for (size_t j = 0; j < p.rows.back().size(); ++j) {
    row.push_back(JsonFields::optional_number(p.rows.back()[j]));
    hashes.push_back(p.rows.back()[j] ? Json(p.tasks[j].predictions_hash) : Json(nullptr));
  }
  Json counters = Json::object();
  const std::string prefix = t.name + '\n';
  for (const auto& [key, n] : p.strategy_counters) {
    if (key.compare(0, prefix.size(), prefix) == 0)
      counters[key] = n;
  }
  doc["learned"] = learned;
  doc["path"] = JsonFields::path(p.paths.at(t.name));
  doc["row"] = row;
  doc["row_hashes"] = hashes;
  doc["task"] = Json{{"accuracy_after_learning", t.accuracy_after_learning},
                     {"validation_accuracy", t.validation_accuracy},
                     {"score", t.score},
                     {"params_added", t.params_added},
                     {"train_seconds", t.train_seconds},
                     {"candidates", t.candidates}};
  doc["counters"] = counters;
  return doc.dump(1);
}

RunIdentity ProgressCodec::apply(const std::string& text, const std::string& file,
                                 model::RunProgress& p) {
  try {
    const Json j = Json::parse(text);
    RunIdentity id;
    id.scenario = j.at("scenario").get<std::string>();
    id.strategy = j.at("strategy").get<std::string>();
    id.seed = j.at("seed").get<uint64_t>();
    id.events_total = j.at("events_total").get<int64_t>();
    const int64_t events = j.at("events_done").get<int64_t>();
    if (events != p.events_done + (events == 0 ? 0 : 1)) {
      throw std::invalid_argument(
          fmt::format("expected task visit {}, found {}", p.events_done + 1, events));
    }
    p.events_done = events;
    p.train_seconds = j.at("train_seconds").get<double>();
    p.evaluation_seconds = j.at("evaluation_seconds").get<double>();
    p.wall_seconds = j.at("wall_seconds").get<double>();
    if (events == 0) {
      p.tasks.clear();
      for (const auto& t : j.at("tasks")) {
        model::TaskResult r;
        r.name = t.at("name").get<std::string>();
        r.classes = t.at("classes").get<int64_t>();
        p.tasks.push_back(std::move(r));
      }
      return id;
    }
    const auto learned = j.at("learned").get<int64_t>();
    model::TaskResult& t = p.tasks.at(static_cast<size_t>(learned));
    p.paths[t.name] = JsonFields::path_from(j.at("path"));
    p.last_task = t.name;
    std::vector<std::optional<double>> row;
    for (const auto& v : j.at("row"))
      row.push_back(v.is_null() ? std::optional<double>{} : v.get<double>());
    if (row.size() != p.tasks.size())
      throw std::invalid_argument(
          fmt::format("a row of {} tasks, expected {}", row.size(), p.tasks.size()));
    const Json& task = j.at("task");
    t.accuracy_after_learning = task.at("accuracy_after_learning").get<double>();
    t.validation_accuracy = task.at("validation_accuracy").get<double>();
    t.score = task.at("score").get<double>();
    t.params_added = task.at("params_added").get<int64_t>();
    t.train_seconds = task.at("train_seconds").get<double>();
    t.candidates = task.at("candidates").get<int64_t>();
    const Json& hashes = j.at("row_hashes");
    for (size_t k = 0; k < row.size(); ++k) {
      if (!row[k])
        continue;
      const std::string hash = hashes.at(k).get<std::string>();
      model::TaskResult& tk = p.tasks[k];
      if (static_cast<int64_t>(k) == learned)
        p.committed_hash[tk.name] = hash;
      else if (hash != p.committed_hash[tk.name])
        tk.predictions_identical = false;
      tk.predictions_hash = hash;
      tk.test_accuracy = *row[k];
    }
    p.row_learned.push_back(learned);
    p.rows.push_back(std::move(row));
    for (const auto& [key, n] : j.at("counters").items())
      p.strategy_counters[key] = n.get<int64_t>();
    return id;
  } catch (const std::exception& e) {
    throw StorageError(file,
                       fmt::format("/state: expected the run's progress, found: {}", e.what()));
  }
}

}  // namespace evostream::storage
