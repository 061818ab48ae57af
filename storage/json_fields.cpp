#include "storage/json_fields.hpp"

#include <stdexcept>
#include <string>
#include <type_traits>

namespace evostream::storage {

namespace {

using Json = JsonFields::Json;

model::Schedule schedule_from(const std::string& name) {
  for (size_t i = 0; i < model::kScheduleNames.size(); ++i) {
    if (name == model::kScheduleNames[i])
      return static_cast<model::Schedule>(i);
  }
  throw std::invalid_argument("unknown schedule \"" + name + "\"");
}

}  // namespace

const char* JsonFields::schedule_name(model::Schedule s) {
  const auto i = static_cast<size_t>(s);
  return i < model::kScheduleNames.size() ? model::kScheduleNames[i] : "";
}

JsonFields::Json JsonFields::hyperparameters(const model::Hyperparameters& hp) {
  Json out = Json::object();
  model::visit_fields(hp, [&](const char* name, const auto& value) {
    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, model::Schedule>)
      out[name] = schedule_name(value);
    else
      out[name] = value;
  });
  return out;
}

model::Hyperparameters JsonFields::hyperparameters_from(const Json& j) {
  model::Hyperparameters hp;
  model::visit_fields(hp, [&](const char* name, auto& value) {
    using T = std::decay_t<decltype(value)>;
    const Json& v = j.at(name);
    if constexpr (std::is_same_v<T, model::Schedule>) {
      value = schedule_from(v.get<std::string>());
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // A float (3e90, say) converted to an integer type is undefined behaviour.
      if (!v.is_number_integer())
        throw std::invalid_argument(std::string("hyperparameter ") + name +
                                    ": expected an integer, found " + v.dump());
      value = v.get<T>();
    } else {
      value = v.get<T>();
    }
  });
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
