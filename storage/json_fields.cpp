#include "storage/json_fields.hpp"

#include <stdexcept>
#include <string>

namespace evostream::storage {

namespace {

using Json = JsonFields::Json;

model::Schedule schedule_from(const std::string& name) {
  if (name == "constant")
    return model::Schedule::kConstant;
  if (name == "restarts")
    return model::Schedule::kRestarts;
  if (name == "cosine")
    return model::Schedule::kCosine;
  throw std::invalid_argument("unknown schedule \"" + name + "\"");
}

}  // namespace

const char* JsonFields::schedule_name(model::Schedule s) {
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

JsonFields::Json JsonFields::hyperparameters(const model::Hyperparameters& hp) {
  return Json{{"learning_rate", hp.learning_rate},
              {"schedule", schedule_name(hp.schedule)},
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

model::Hyperparameters JsonFields::hyperparameters_from(const Json& j) {
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

JsonFields::Json JsonFields::path(const model::Path& p) {
  return Json{{"name", p.name},
              {"task", p.task},
              {"components", p.ids},
              {"quality", p.quality},
              {"score", p.score},
              {"parent", p.parent},
              {"hyperparameters", hyperparameters(p.hp)}};
}

model::Path JsonFields::path_from(const Json& j) {
  model::Path p;
  p.name = j.at("name").get<std::string>();
  p.task = j.at("task").get<std::string>();
  p.ids = j.at("components").get<std::vector<std::string>>();
  p.quality = j.at("quality").get<double>();
  p.score = j.at("score").get<double>();
  p.parent = j.at("parent").get<std::string>();
  p.hp = hyperparameters_from(j.at("hyperparameters"));
  return p;
}

JsonFields::Json JsonFields::optional_number(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace evostream::storage
