#include "storage/json_fields.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

JsonFields::Json JsonFields::optimizer(const model::OptimizerOptions& o) {
  return Json{{"kind", model::kOptimizerKindNames.at(static_cast<size_t>(o.kind))},
              {"momentum", o.momentum},
              {"nesterov", o.nesterov},
              {"weight_decay", o.weight_decay},
              {"clip_norm", o.clip_norm},
              {"carry_state", o.carry_state}};
}

model::OptimizerOptions JsonFields::optimizer_from(const Json& j) {
  if (!j.is_object())
    throw std::invalid_argument("recipe optimizer: expected an object or null, found " + j.dump());
  model::OptimizerOptions o;
  const auto kind = j.at("kind").get<std::string>();
  const auto at =
      std::find(model::kOptimizerKindNames.begin(), model::kOptimizerKindNames.end(), kind);
  if (at == model::kOptimizerKindNames.end())
    throw std::invalid_argument("recipe optimizer.kind: expected \"sgd\" or \"adamw\", found \"" +
                                kind + "\"");
  o.kind = static_cast<model::OptimizerOptions::Kind>(at - model::kOptimizerKindNames.begin());
  o.momentum = j.at("momentum").get<double>();
  o.nesterov = j.at("nesterov").get<bool>();
  o.weight_decay = j.at("weight_decay").get<double>();
  o.clip_norm = j.at("clip_norm").get<double>();
  o.carry_state = j.at("carry_state").get<bool>();
  return o;
}

JsonFields::Json JsonFields::recipe(const model::TrainRecipe& recipe) {
  Json out = Json::object();
  model::visit_fields(recipe, [&](const char* name, const auto& value) {
    if constexpr (std::is_same_v<std::decay_t<decltype(value)>, model::Schedule>)
      out[name] = schedule_name(value);
    else
      out[name] = value;
  });
  out["objective"] = recipe.objective;
  out["optimizer"] = recipe.optimizer ? optimizer(*recipe.optimizer) : Json(nullptr);
  for (const auto& e : recipe.extras) {
    if (e.integer)
      out[e.name] = std::llround(e.value);
    else
      out[e.name] = e.value;
  }
  return out;
}

model::TrainRecipe JsonFields::recipe_from(const Json& j) {
  if (!j.is_object())
    throw std::invalid_argument("recipe: expected an object, found " + j.dump());
  model::TrainRecipe recipe;
  model::visit_fields(recipe, [&](const char* name, auto& value) {
    using T = std::decay_t<decltype(value)>;
    const Json& v = j.at(name);
    if constexpr (std::is_same_v<T, model::Schedule>) {
      value = schedule_from(v.get<std::string>());
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // A float (3e90, say) converted to an integer type is undefined behaviour.
      if (!v.is_number_integer())
        throw std::invalid_argument(std::string("recipe ") + name +
                                    ": expected an integer, found " + v.dump());
      value = v.get<T>();
    } else {
      value = v.get<T>();
    }
  });
  // Files written before recipes named neither: cross-entropy and the trainer's optimizer.
  if (j.contains("objective")) {
    if (!j.at("objective").is_string())
      throw std::invalid_argument("recipe objective: expected a name, found " +
                                  j.at("objective").dump());
    recipe.objective = j.at("objective").get<std::string>();
  }
  if (j.contains("optimizer") && !j.at("optimizer").is_null())
    recipe.optimizer = optimizer_from(j.at("optimizer"));
  // Every other key is one of the strategy's extras, in the order written.
  for (const auto& [name, v] : j.items()) {
    if (name == "objective" || name == "optimizer" ||
        std::find(model::kRecipeFieldNames.begin(), model::kRecipeFieldNames.end(), name) !=
            model::kRecipeFieldNames.end())
      continue;
    if (!v.is_number())
      throw std::invalid_argument("recipe " + name + ": expected a number, found " + v.dump());
    if (v.is_number_integer()) {
      // Integers beyond 2^53 would not survive as the double an extra holds.
      const auto n = v.is_number_unsigned() ? static_cast<double>(v.get<uint64_t>())
                                            : static_cast<double>(v.get<int64_t>());
      if (std::abs(n) > 9007199254740992.0)
        throw std::invalid_argument("recipe " + name +
                                    ": expected an integer of at most 2^53, found " + v.dump());
      recipe.extras.push_back({name, n, true});
    } else {
      recipe.extras.push_back({name, v.get<double>(), false});
    }
  }
  return recipe;
}

JsonFields::Json JsonFields::path(const model::Path& p) {
  return Json{
      {"name", p.name},   {"task", p.task},     {"components", p.ids},       {"quality", p.quality},
      {"score", p.score}, {"parent", p.parent}, {"recipe", recipe(p.recipe)}};
}

model::Path JsonFields::path_from(const Json& j) {
  model::Path p;
  p.name = j.at("name").get<std::string>();
  p.task = j.at("task").get<std::string>();
  p.ids = j.at("components").get<std::vector<std::string>>();
  p.quality = j.at("quality").get<double>();
  p.score = j.at("score").get<double>();
  p.parent = j.at("parent").get<std::string>();
  // Files written before recipes name it "hyperparameters".
  p.recipe =
      recipe_from(j.contains("hyperparameters") && !j.contains("recipe") ? j.at("hyperparameters")
                                                                         : j.at("recipe"));
  return p;
}

JsonFields::Json JsonFields::optional_number(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace evostream::storage
