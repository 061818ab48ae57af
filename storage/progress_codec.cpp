#include "storage/progress_codec.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "storage/json_fields.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

using Json = JsonFields::Json;

}  // namespace

std::string ProgressCodec::encode(const RunIdentity& id, const model::ProgressStep& p) {
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
    for (const auto& [name, classes] : p.tasks)
      tasks.push_back(Json{{"name", name}, {"classes", classes}});
    doc["tasks"] = tasks;
    return doc.dump(1);
  }
  // Later ones hold what their event changed: the task it learned, its path, the entries of the
  // matrix measured after it ([task, accuracy, predictions hash]).
  const model::TaskResult& t = p.task;
  Json entries = Json::array();
  for (size_t k = 0; k < p.entries.size(); ++k)
    entries.push_back(Json::array({p.entries[k].task, p.entries[k].accuracy, p.entry_hashes[k]}));
  Json counters = Json::object();
  for (const auto& [key, n] : p.counters)
    counters[key] = n;
  doc["learned"] = p.learned;
  doc["path"] = JsonFields::path(p.path);
  doc["entries"] = entries;
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
    // The measured entries: [task, accuracy, hash] triples, or (older snapshots) a full row
    // with one hash per task.
    std::vector<model::MatrixEntry> entries;
    std::vector<std::string> hashes;
    if (j.contains("entries")) {
      for (const auto& e : j.at("entries")) {
        entries.push_back({e.at(0).get<int64_t>(), e.at(1).get<double>()});
        hashes.push_back(e.at(2).get<std::string>());
      }
    } else {
      const Json& row = j.at("row");
      if (row.size() != p.tasks.size())
        throw std::invalid_argument(
            fmt::format("a row of {} tasks, expected {}", row.size(), p.tasks.size()));
      for (size_t k = 0; k < row.size(); ++k) {
        if (row[k].is_null())
          continue;
        entries.push_back({static_cast<int64_t>(k), row[k].get<double>()});
        hashes.push_back(j.at("row_hashes").at(k).get<std::string>());
      }
    }
    const Json& task = j.at("task");
    t.accuracy_after_learning = task.at("accuracy_after_learning").get<double>();
    t.validation_accuracy = task.at("validation_accuracy").get<double>();
    t.score = task.at("score").get<double>();
    t.params_added = task.at("params_added").get<int64_t>();
    t.train_seconds = task.at("train_seconds").get<double>();
    t.candidates = task.at("candidates").get<int64_t>();
    for (size_t k = 0; k < entries.size(); ++k) {
      const int64_t index = entries[k].task;
      if (index < 0 || static_cast<size_t>(index) >= p.tasks.size())
        throw std::invalid_argument(
            fmt::format("an entry for task {}, expected one of {} tasks", index, p.tasks.size()));
      model::TaskResult& tk = p.tasks[static_cast<size_t>(index)];
      if (index == learned)
        p.committed_hash[tk.name] = hashes[k];
      else if (hashes[k] != p.committed_hash[tk.name])
        tk.predictions_identical = false;
      tk.predictions_hash = hashes[k];
      tk.test_accuracy = entries[k].accuracy;
    }
    p.row_learned.push_back(learned);
    p.rows.push_back(std::move(entries));
    for (const auto& [key, n] : j.at("counters").items())
      p.strategy_counters[key] = n.get<int64_t>();
    return id;
  } catch (const std::exception& e) {
    throw StorageError(file,
                       fmt::format("/state: expected the run's progress, found: {}", e.what()));
  }
}

}  // namespace evostream::storage
