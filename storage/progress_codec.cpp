#include "storage/progress_codec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <type_traits>

#include "storage/json_fields.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

// An integer field: a float (2e74, say) converted to an integer type is undefined behaviour,
// so only JSON integers in the type's range are taken.
template <typename T>
T integer(const JsonFields::Json& v) {
  const bool fits = v.is_number_unsigned()
                        ? v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max())
                        : v.is_number_integer() && (std::is_signed_v<T> || v.get<int64_t>() >= 0);
  if (!fits) {
    throw std::invalid_argument(fmt::format("expected an integer in {}..{}, found {}",
                                            std::numeric_limits<T>::min(),
                                            std::numeric_limits<T>::max(), v.dump()));
  }
  return v.get<T>();
}

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
  if (!p.tasks.empty()) {
    // The stream grew: the tasks added since the snapshot before.
    Json added = Json::array();
    for (const auto& [name, classes] : p.tasks)
      added.push_back(Json{{"name", name}, {"classes", classes}});
    doc["tasks_added"] = added;
  }
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
  model::ProgressStep step;
  const RunIdentity id = decode(text, file, p, step);
  fold(step, p);
  return id;
}

RunIdentity ProgressCodec::decode(const std::string& text, const std::string& file,
                                  const model::RunProgress& p, model::ProgressStep& step) {
  try {
    const Json j = Json::parse(text);
    RunIdentity id;
    id.scenario = j.at("scenario").get<std::string>();
    id.strategy = j.at("strategy").get<std::string>();
    id.seed = integer<uint64_t>(j.at("seed"));
    id.events_total = integer<int64_t>(j.at("events_total"));
    const int64_t events = integer<int64_t>(j.at("events_done"));
    if (events != p.events_done + (events == 0 ? 0 : 1)) {
      throw std::invalid_argument(
          fmt::format("expected task visit {}, found {}", p.events_done + 1, events));
    }
    step.events_done = events;
    step.train_seconds = j.at("train_seconds").get<double>();
    step.evaluation_seconds = j.at("evaluation_seconds").get<double>();
    step.wall_seconds = j.at("wall_seconds").get<double>();
    if (events == 0) {
      for (const auto& t : j.at("tasks"))
        step.tasks.emplace_back(t.at("name").get<std::string>(), integer<int64_t>(t.at("classes")));
      return id;
    }
    if (j.contains("tasks_added")) {
      for (const auto& t : j.at("tasks_added")) {
        const std::string name = t.at("name").get<std::string>();
        const bool taken =
            std::any_of(p.tasks.begin(), p.tasks.end(),
                        [&](const model::TaskResult& r) { return r.name == name; }) ||
            std::any_of(step.tasks.begin(), step.tasks.end(),
                        [&](const auto& r) { return r.first == name; });
        if (taken)
          throw std::invalid_argument(fmt::format("task \"{}\" added twice", name));
        step.tasks.emplace_back(name, integer<int64_t>(t.at("classes")));
      }
    }
    const size_t known = p.tasks.size() + step.tasks.size();
    step.learned = integer<int64_t>(j.at("learned"));
    if (step.learned < 0 || static_cast<size_t>(step.learned) >= known)
      throw std::invalid_argument(
          fmt::format("learned task {}, expected one of {} tasks", step.learned, known));
    step.path = JsonFields::path_from(j.at("path"));
    // The measured entries: [task, accuracy, hash] triples, or (older snapshots) a full row
    // with one hash per task.
    if (j.contains("entries")) {
      for (const auto& e : j.at("entries")) {
        step.entries.push_back({integer<int64_t>(e.at(0)), e.at(1).get<double>()});
        step.entry_hashes.push_back(e.at(2).get<std::string>());
      }
    } else {
      const Json& row = j.at("row");
      if (row.size() != known)
        throw std::invalid_argument(
            fmt::format("a row of {} tasks, expected {}", row.size(), known));
      for (size_t k = 0; k < row.size(); ++k) {
        if (row[k].is_null())
          continue;
        step.entries.push_back({static_cast<int64_t>(k), row[k].get<double>()});
        step.entry_hashes.push_back(j.at("row_hashes").at(k).get<std::string>());
      }
    }
    for (const auto& e : step.entries) {
      if (e.task < 0 || static_cast<size_t>(e.task) >= known)
        throw std::invalid_argument(
            fmt::format("an entry for task {}, expected one of {} tasks", e.task, known));
    }
    const Json& task = j.at("task");
    model::TaskResult& t = step.task;
    t.accuracy_after_learning = task.at("accuracy_after_learning").get<double>();
    t.validation_accuracy = task.at("validation_accuracy").get<double>();
    t.score = task.at("score").get<double>();
    t.params_added = integer<int64_t>(task.at("params_added"));
    t.train_seconds = task.at("train_seconds").get<double>();
    t.candidates = integer<int64_t>(task.at("candidates"));
    for (const auto& [key, n] : j.at("counters").items())
      step.counters[key] = integer<int64_t>(n);
    return id;
  } catch (const std::exception& e) {
    throw StorageError(file,
                       fmt::format("/state: expected the run's progress, found: {}", e.what()));
  }
}

void ProgressCodec::fold(const model::ProgressStep& step, model::RunProgress& p) {
  p.events_done = step.events_done;
  p.train_seconds = step.train_seconds;
  p.evaluation_seconds = step.evaluation_seconds;
  p.wall_seconds = step.wall_seconds;
  if (step.events_done == 0) {
    p.tasks.clear();
    for (const auto& [name, classes] : step.tasks) {
      model::TaskResult r;
      r.name = name;
      r.classes = classes;
      p.tasks.push_back(std::move(r));
    }
    return;
  }
  for (const auto& [name, classes] : step.tasks) {
    model::TaskResult r;
    r.name = name;
    r.classes = classes;
    p.tasks.push_back(std::move(r));
  }
  model::TaskResult& t = p.tasks.at(static_cast<size_t>(step.learned));
  p.paths[t.name] = step.path;
  p.last_task = t.name;
  t.accuracy_after_learning = step.task.accuracy_after_learning;
  t.validation_accuracy = step.task.validation_accuracy;
  t.score = step.task.score;
  t.params_added = step.task.params_added;
  t.train_seconds = step.task.train_seconds;
  t.candidates = step.task.candidates;
  for (size_t k = 0; k < step.entries.size(); ++k) {
    const int64_t index = step.entries[k].task;
    model::TaskResult& tk = p.tasks.at(static_cast<size_t>(index));
    const std::string& hash = step.entry_hashes[k];
    if (index == step.learned)
      p.committed_hash[tk.name] = hash;
    else if (hash != p.committed_hash[tk.name])
      tk.predictions_identical = false;
    tk.predictions_hash = hash;
    tk.test_accuracy = step.entries[k].accuracy;
  }
  p.row_learned.push_back(step.learned);
  p.rows.push_back(step.entries);
  for (const auto& [key, n] : step.counters)
    p.strategy_counters[key] = n;
}

}  // namespace evostream::storage
