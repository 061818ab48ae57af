#include "model/core/recipe_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace evostream::model {

std::vector<std::pair<std::string, std::string>> recipe_entries(const TrainRecipe& recipe) {
  std::vector<std::pair<std::string, std::string>> out;
  visit_fields(recipe, [&](const char* name, const auto& value) {
    out.emplace_back(name, recipe_value_text(value));
  });
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
