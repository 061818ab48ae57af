#include "storage/progress_codec.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

using Json = nlohmann::ordered_json;

model::Schedule schedule_from(const std::string& name) {
  if (name == "constant")
    return model::Schedule::kConstant;
  if (name == "restarts")
    return model::Schedule::kRestarts;
  if (name == "cosine")
    return model::Schedule::kCosine;
  throw std::invalid_argument("unknown schedule \"" + name + "\"");
}

Json encode_hp(const model::Hyperparameters& hp) {
  return Json{{"learning_rate", hp.learning_rate},
              {"schedule", ProgressCodec::schedule_name(hp.schedule)},
              {"warmup_ratio", hp.warmup_ratio},
              {"momentum", hp.momentum},
              {"nesterov", hp.nesterov},
              {"adapter_dim", hp.adapter_dim},
              {"image_size", hp.image_size},
              {"crop_area_min", hp.crop_area_min},
              {"flip", hp.flip},
              {"brightness", hp.brightness},
              {"contrast", hp.contrast},
              {"mu", hp.mu}};
}

model::Hyperparameters decode_hp(const Json& j) {
  model::Hyperparameters hp;
  hp.learning_rate = j.at("learning_rate").get<double>();
  hp.schedule = schedule_from(j.at("schedule").get<std::string>());
  hp.warmup_ratio = j.at("warmup_ratio").get<double>();
  hp.momentum = j.at("momentum").get<double>();
  hp.nesterov = j.at("nesterov").get<bool>();
  hp.adapter_dim = j.at("adapter_dim").get<int64_t>();
  hp.image_size = j.at("image_size").get<int64_t>();
  hp.crop_area_min = j.at("crop_area_min").get<double>();
  hp.flip = j.at("flip").get<bool>();
  hp.brightness = j.at("brightness").get<double>();
  hp.contrast = j.at("contrast").get<double>();
  hp.mu = j.at("mu").get<double>();
  return hp;
}

Json encode_path(const model::Path& p) {
  return Json{{"name", p.name},
              {"task", p.task},
              {"components", p.ids},
              {"quality", p.quality},
              {"score", p.score},
              {"parent", p.parent},
              {"hyperparameters", encode_hp(p.hp)}};
}

model::Path decode_path(const Json& j) {
  model::Path p;
  p.name = j.at("name").get<std::string>();
  p.task = j.at("task").get<std::string>();
  p.ids = j.at("components").get<std::vector<std::string>>();
  p.quality = j.at("quality").get<double>();
  p.score = j.at("score").get<double>();
  p.parent = j.at("parent").get<std::string>();
  p.hp = decode_hp(j.at("hyperparameters"));
  return p;
}

Json optional_number(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace

const char* ProgressCodec::schedule_name(model::Schedule s) {
  switch (s) {
    case model::Schedule::kConstant:
      return "constant";
    case model::Schedule::kCosine:
      return "cosine";
    case model::Schedule::kRestarts:
      return "restarts";
  }
  return "";
}

std::string ProgressCodec::encode(const RunIdentity& id, const model::RunProgress& p) {
  Json paths = Json::object();
  for (const auto& [task, path] : p.paths)
    paths[task] = encode_path(path);
  Json rows = Json::array();
  for (const auto& row : p.rows) {
    Json r = Json::array();
    for (const auto& v : row)
      r.push_back(optional_number(v));
    rows.push_back(r);
  }
  Json tasks = Json::array();
  for (const auto& t : p.tasks) {
    tasks.push_back(Json{{"name", t.name},
                         {"classes", t.classes},
                         {"test_accuracy", t.test_accuracy},
                         {"accuracy_after_learning", t.accuracy_after_learning},
                         {"validation_accuracy", t.validation_accuracy},
                         {"score", t.score},
                         {"params_added", t.params_added},
                         {"train_seconds", t.train_seconds},
                         {"candidates", t.candidates},
                         {"predictions_identical", t.predictions_identical},
                         {"predictions_hash", t.predictions_hash}});
  }
  const Json doc{{"scenario", id.scenario},
                 {"strategy", id.strategy},
                 {"seed", id.seed},
                 {"events_total", id.events_total},
                 {"events_done", p.events_done},
                 {"last_task", p.last_task},
                 {"paths", paths},
                 {"row_learned", p.row_learned},
                 {"rows", rows},
                 {"tasks", tasks},
                 {"committed_hash", p.committed_hash},
                 {"strategy_counters", p.strategy_counters},
                 {"train_seconds", p.train_seconds},
                 {"evaluation_seconds", p.evaluation_seconds},
                 {"wall_seconds", p.wall_seconds}};
  return doc.dump(1);
}

std::pair<RunIdentity, model::RunProgress> ProgressCodec::decode(const std::string& text,
                                                                 const std::string& file) {
  try {
    const Json j = Json::parse(text);
    RunIdentity id;
    id.scenario = j.at("scenario").get<std::string>();
    id.strategy = j.at("strategy").get<std::string>();
    id.seed = j.at("seed").get<uint64_t>();
    id.events_total = j.at("events_total").get<int64_t>();
    model::RunProgress p;
    p.events_done = j.at("events_done").get<int64_t>();
    p.last_task = j.at("last_task").get<std::string>();
    for (const auto& [task, path] : j.at("paths").items())
      p.paths[task] = decode_path(path);
    p.row_learned = j.at("row_learned").get<std::vector<int64_t>>();
    for (const auto& r : j.at("rows")) {
      std::vector<std::optional<double>> row;
      for (const auto& v : r)
        row.push_back(v.is_null() ? std::optional<double>{} : v.get<double>());
      p.rows.push_back(std::move(row));
    }
    for (const auto& t : j.at("tasks")) {
      model::TaskResult r;
      r.name = t.at("name").get<std::string>();
      r.classes = t.at("classes").get<int64_t>();
      r.test_accuracy = t.at("test_accuracy").get<double>();
      r.accuracy_after_learning = t.at("accuracy_after_learning").get<double>();
      r.validation_accuracy = t.at("validation_accuracy").get<double>();
      r.score = t.at("score").get<double>();
      r.params_added = t.at("params_added").get<int64_t>();
      r.train_seconds = t.at("train_seconds").get<double>();
      r.candidates = t.at("candidates").get<int64_t>();
      r.predictions_identical = t.at("predictions_identical").get<bool>();
      r.predictions_hash = t.at("predictions_hash").get<std::string>();
      p.tasks.push_back(std::move(r));
    }
    p.committed_hash = j.at("committed_hash").get<std::map<std::string, std::string>>();
    p.strategy_counters = j.at("strategy_counters").get<std::map<std::string, int64_t>>();
    p.train_seconds = j.at("train_seconds").get<double>();
    p.evaluation_seconds = j.at("evaluation_seconds").get<double>();
    p.wall_seconds = j.at("wall_seconds").get<double>();
    return {id, p};
  } catch (const std::exception& e) {
    throw StorageError(file,
                       fmt::format("/state: expected the run's progress, found: {}", e.what()));
  }
}

}  // namespace evostream::storage
