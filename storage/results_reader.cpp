#include "storage/results_reader.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "storage/json_fields.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

using Json = JsonFields::Json;

// Reads one key of an object, checking its JSON type; errors name the file and the key.
class Fields {
 public:
  Fields(const std::string& file, const Json& object, std::string where)
      : file_(file), object_(object), where_(std::move(where)) {}

  const Json& at(const std::string& key, Json::value_t type, const char* expected) const {
    const auto it = object_.find(key);
    if (it == object_.end())
      fail(key, expected, "nothing (the key is missing)");
    const bool number_ok = type == Json::value_t::number_float && it->is_number();
    const bool integer_ok = type == Json::value_t::number_integer && it->is_number_integer();
    if (it->type() != type && !number_ok && !integer_ok)
      fail(key, expected, it->type_name());
    return *it;
  }
  double number(const std::string& key, double fallback = 0.0, bool required = true) const {
    if (!required && !object_.contains(key))
      return fallback;
    return at(key, Json::value_t::number_float, "a number").get<double>();
  }
  std::optional<double> optional_number(const std::string& key) const {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null())
      return std::nullopt;
    return number(key);
  }
  int64_t integer(const std::string& key, bool required = true) const {
    if (!required && !object_.contains(key))
      return 0;
    return at(key, Json::value_t::number_integer, "an integer").get<int64_t>();
  }
  std::string text(const std::string& key, bool required = true) const {
    if (!required && !object_.contains(key))
      return {};
    return at(key, Json::value_t::string, "a string").get<std::string>();
  }
  bool has(const std::string& key) const { return object_.contains(key); }
  bool flag(const std::string& key) const {
    return at(key, Json::value_t::boolean, "true or false").get<bool>();
  }
  const Json& array(const std::string& key) const {
    return at(key, Json::value_t::array, "an array");
  }
  /// An array of strings.
  std::vector<std::string> texts(const std::string& key) const {
    std::vector<std::string> out;
    for (const Json& v : array(key)) {
      if (!v.is_string())
        fail(key, "an array of strings", v.type_name());
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  /// An array of arrays of numbers; empty when the key is absent (older files).
  std::vector<std::vector<double>> number_rows(const std::string& key) const {
    std::vector<std::vector<double>> out;
    if (!object_.contains(key))
      return out;
    for (const Json& row : array(key)) {
      if (!row.is_array())
        fail(key, "arrays of numbers", row.type_name());
      std::vector<double> values;
      for (const Json& v : row) {
        if (!v.is_number())
          fail(key, "arrays of numbers", v.type_name());
        values.push_back(v.get<double>());
      }
      out.push_back(std::move(values));
    }
    return out;
  }
  [[noreturn]] void fail(const std::string& key, const char* expected,
                         const std::string& found) const {
    throw StorageError(file_,
                       fmt::format("{}{}: expected {}, found {}", where_, key, expected, found));
  }

 private:
  const std::string& file_;
  const Json& object_;
  std::string where_;
};

model::Path read_path(const std::string& file, const Json& j, const std::string& task,
                      const std::string& where) {
  if (!j.is_object())
    throw StorageError(file, where + "path: expected an object, found " + j.type_name());
  const Fields f(file, j, where + "path.");
  model::Path p;
  p.name = f.text("name");
  p.task = f.text("task", false);
  if (p.task.empty())
    p.task = task;
  p.parent = f.text("parent");
  for (const auto& id : f.array("components")) {
    if (!id.is_string())
      f.fail("components", "component ids (strings)", id.type_name());
    p.ids.push_back(id.get<std::string>());
  }
  p.quality = f.number("quality", 0.0, false);
  p.score = f.number("score", 0.0, false);
  try {
    // Files written before recipes name it "hyperparameters".
    const char* key = f.has("hyperparameters") && !f.has("recipe") ? "hyperparameters" : "recipe";
    p.recipe = JsonFields::recipe_from(f.at(key, Json::value_t::object, "an object"));
  } catch (const Json::exception& e) {
    throw StorageError(file, where + "path.recipe: " + e.what());
  } catch (const std::invalid_argument& e) {
    throw StorageError(file, where + "path." + e.what());
  }
  return p;
}

}  // namespace

model::RunResults ResultsReader::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw StorageError(path, "cannot be opened (no results: has the run committed a task?)");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

model::RunResults ResultsReader::read_run(const std::string& run_dir) {
  const std::string path = run_dir + "/results.json";
  std::error_code ec;
  if (!std::filesystem::exists(run_dir, ec))
    throw StorageError(run_dir, "no such directory");
  if (!std::ifstream(path).good()) {
    throw StorageError(run_dir,
                       "not a run directory with results (no results.json); start one "
                       "with `evostream run SCENARIO --out DIR`, or finish an "
                       "interrupted one with `evostream resume DIR`");
  }
  return read(path);
}

model::RunResults ResultsReader::parse(const std::string& text, const std::string& file) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw StorageError(file, fmt::format("not JSON: {}", e.what()));
  }
  if (!doc.is_object())
    throw StorageError(file, fmt::format("expected a JSON object, found {}", doc.type_name()));
  const Fields f(file, doc, "");
  if (f.text("format") != "evostream-results")
    f.fail("format", "\"evostream-results\"", "\"" + doc.at("format").get<std::string>() + "\"");

  model::RunResults r;
  r.scenario = f.text("scenario");
  r.strategy = f.text("strategy");
  r.seed = static_cast<uint64_t>(f.integer("seed"));
  r.average_accuracy = f.number("average_accuracy");
  r.bwt = f.number("bwt");
  r.forgetting = f.number("forgetting");
  r.max_forgetting = f.number("max_forgetting");
  r.task_inference_accuracy = f.optional_number("task_inference_accuracy");
  r.inferred_average_accuracy = f.optional_number("inferred_average_accuracy");
  r.params_per_task = f.number("params_per_task");
  r.total_params = f.integer("total_params");
  r.store_params = f.integer("store_params");
  r.root_params = f.number("root_params");
  r.store_hash = f.text("store_hash");
  r.state_hash = f.text("state_hash", false);
  r.wall_seconds = f.number("wall_seconds");
  r.train_seconds = f.number("train_seconds");
  r.evaluation_seconds = f.number("evaluation_seconds");
  r.snapshot_seconds = f.number("snapshot_seconds", 0.0, false);
  r.snapshot_bytes = f.integer("snapshot_bytes", false);
  r.stream_seconds = f.number("stream_seconds", 0.0, false);
  r.orchestration_seconds = f.number("orchestration_seconds", 0.0, false);
  r.events_done = f.integer("events_done", false);
  r.events_total = f.integer("events_total", false);
  r.complete = doc.contains("complete") ? f.flag("complete") : true;
  r.simulated = doc.contains("simulated") && f.flag("simulated");
  r.offline = doc.contains("offline") && f.flag("offline");
  r.virtual_seconds = f.number("virtual_seconds", 0.0, false);

  std::vector<std::string> names;
  for (const auto& n : f.array("task_names")) {
    if (!n.is_string())
      f.fail("task_names", "task names (strings)", n.type_name());
    names.push_back(n.get<std::string>());
  }
  r.matrix = model::AccuracyMatrix(names);
  const Json& learned = f.array("accuracy_matrix_learned");
  std::map<std::string, int64_t> index_of;
  for (size_t j = 0; j < names.size(); ++j)
    index_of[names[j]] = static_cast<int64_t>(j);
  auto learned_index = [&](size_t i) {
    const auto it = index_of.find(learned[i].is_string() ? learned[i].get<std::string>() : "");
    if (it == index_of.end())
      throw StorageError(file, fmt::format("accuracy_matrix_learned[{}]: expected a name from "
                                           "task_names, found {}",
                                           i, learned[i].dump()));
    return it->second;
  };
  if (doc.contains("accuracy_matrix_entries")) {
    const Json& rows = f.array("accuracy_matrix_entries");
    if (learned.size() != rows.size())
      throw StorageError(file, fmt::format("accuracy_matrix_entries: expected {} rows (one per "
                                           "accuracy_matrix_learned entry), found {}",
                                           learned.size(), rows.size()));
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<model::MatrixEntry> entries;
      for (const auto& e : rows[i]) {
        if (!e.is_array() || e.size() != 2 || !e[0].is_number_integer() || !e[1].is_number())
          throw StorageError(file, fmt::format("accuracy_matrix_entries[{}]: expected [task index, "
                                               "accuracy] pairs, found {}",
                                               i, e.dump()));
        entries.push_back({e[0].get<int64_t>(), e[1].get<double>()});
      }
      try {
        r.matrix.add_entries(learned_index(i), std::move(entries));
      } catch (const std::invalid_argument& e) {
        throw StorageError(file, fmt::format("accuracy_matrix_entries[{}]: {}", i, e.what()));
      }
    }
  } else {
    const Json& rows = f.array("accuracy_matrix");
    if (learned.size() != rows.size())
      throw StorageError(file, fmt::format("accuracy_matrix: expected {} rows (one per "
                                           "accuracy_matrix_learned entry), found {}",
                                           learned.size(), rows.size()));
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<std::optional<double>> row;
      for (const auto& v : rows[i]) {
        if (!v.is_null() && !v.is_number())
          throw StorageError(file, fmt::format("accuracy_matrix[{}]: expected numbers or null, "
                                               "found {}",
                                               i, v.type_name()));
        row.push_back(v.is_null() ? std::nullopt : std::optional<double>(v.get<double>()));
      }
      try {
        r.matrix.add_row(learned_index(i), row);
      } catch (const std::invalid_argument& e) {
        throw StorageError(file, fmt::format("accuracy_matrix[{}]: {}", i, e.what()));
      }
    }
  }

  const Json& tasks = f.array("tasks");
  for (size_t i = 0; i < tasks.size(); ++i) {
    const std::string where = fmt::format("tasks[{}].", i);
    if (!tasks[i].is_object())
      throw StorageError(file, where + " expected an object, found " + tasks[i].type_name());
    const Fields t(file, tasks[i], where);
    model::TaskResult task;
    task.name = t.text("name");
    task.classes = t.integer("classes");
    task.test_accuracy = t.number("test_accuracy");
    task.accuracy_after_learning = t.number("accuracy_after_learning");
    task.validation_accuracy = t.number("validation_accuracy");
    task.score = t.number("score");
    task.accounted_params = t.number("accounted_params");
    task.params_added = t.integer("params_added");
    task.path_params = t.integer("path_params");
    // Older files lack it; their paths were all active.
    task.active_params = t.has("active_params") ? t.integer("active_params") : task.path_params;
    task.inference_flops = t.number("inference_flops");
    task.train_seconds = t.number("train_seconds");
    task.candidates = t.integer("candidates");
    task.forgetting = t.optional_number("forgetting");
    task.max_forgetting = t.optional_number("max_forgetting");
    task.task_inference_accuracy = t.optional_number("task_inference_accuracy");
    task.inferred_accuracy = t.optional_number("inferred_accuracy");
    task.coefficients = t.number_rows("coefficients");
    task.expert_usage = t.number_rows("expert_usage");
    task.expert_layers = t.has("expert_layers")
                             ? t.texts("expert_layers")
                             : std::vector<std::string>(task.expert_usage.size(), "mlp");
    task.predictions_identical = t.flag("predictions_identical");
    task.predictions_hash = t.text("predictions_hash");
    task.path = read_path(file, t.at("path", Json::value_t::object, "an object"), task.name, where);
    r.tasks.push_back(std::move(task));
  }
  return r;
}

}  // namespace evostream::storage
