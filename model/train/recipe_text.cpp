#include "model/train/recipe_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace evostream::model {

std::string optimizer_text(const OptimizerOptions& o) {
  std::string out = kOptimizerKindNames.at(static_cast<size_t>(o.kind));
  if (o.kind == OptimizerOptions::Kind::kAdamW)
    out += " wd=" + recipe_value_text(o.weight_decay);
  out += o.clip_norm > 0 ? " clip=" + recipe_value_text(o.clip_norm) : " unclipped";
  if (o.kind == OptimizerOptions::Kind::kAdamW && o.carry_state)
    out += " carried";
  return out;
}

std::vector<std::pair<std::string, std::string>> recipe_entries(const TrainRecipe& recipe) {
  std::vector<std::pair<std::string, std::string>> out;
  visit_fields(recipe, [&](const char* name, const auto& value) {
    out.emplace_back(name, recipe_value_text(value));
  });
  out.emplace_back("objective", recipe.objective);
  out.emplace_back("optimizer", recipe.optimizer ? optimizer_text(*recipe.optimizer) : "trainer's");
  for (const auto& e : recipe.extras) {
    out.emplace_back(
        e.name, e.integer ? recipe_value_text(std::llround(e.value)) : recipe_value_text(e.value));
  }
  return out;
}

std::vector<std::string> recipe_changes(const TrainRecipe& before, const TrainRecipe& after) {
  const auto was = recipe_entries(before);
  const auto now = recipe_entries(after);
  auto text_in = [](const auto& entries, const std::string& name) {
    const auto at = std::find_if(entries.begin(), entries.end(),
                                 [&](const auto& e) { return e.first == name; });
    return at == entries.end() ? std::string("none") : at->second;
  };
  std::vector<std::string> out;
  for (const auto& [name, text] : now) {
    const std::string old = text_in(was, name);
    if (old != text)
      out.push_back(fmt::format("{} {} → {}", name, old, text));
  }
  for (const auto& [name, text] : was) {
    if (text_in(now, name) == "none")
      out.push_back(fmt::format("{} {} → none", name, text));
  }
  return out;
}

}  // namespace evostream::model
