#include "model/run/state_hash.hpp"

#include <cmath>
#include <cstring>
#include <type_traits>

#include "common/content_hash.hpp"

namespace evostream::model {

namespace {

/// Extras written in the places that µ2Net's two values held before paths had recipes, and the
/// values every path carried then (so a path without them hashes as it did).
constexpr const char* kMuExtra = "mu";
constexpr double kMuBefore = 0.2;
constexpr const char* kAdapterDimExtra = "adapter_dim";
constexpr double kAdapterDimBefore = 32.0;

void hash_number(common::ContentHash& h, double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  h.update(bits);
}

/// A recipe by kind: the numbers, then the choices and flags, then the integers, each kind in
/// declaration order, with `mu` last among the numbers and `adapter_dim` first among the
/// integers; then every other extra by name. This is the layout hashes had before recipes, so
/// the state hashes recorded since stay valid.
void hash_recipe(common::ContentHash& h, const TrainRecipe& r) {
  visit_fields(r, [&](const char*, const auto& v) {
    if constexpr (std::is_floating_point_v<std::decay_t<decltype(v)>>)
      hash_number(h, v);
  });
  hash_number(h, r.extra(kMuExtra).value_or(kMuBefore));
  visit_fields(r, [&](const char*, const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_enum_v<T> || std::is_same_v<T, bool>)
      h.update(static_cast<uint64_t>(v));
  });
  h.update(
      static_cast<uint64_t>(std::llround(r.extra(kAdapterDimExtra).value_or(kAdapterDimBefore))));
  visit_fields(r, [&](const char*, const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
      h.update(static_cast<uint64_t>(v));
  });
  for (const auto& e : r.extras) {
    if (e.name == kMuExtra || e.name == kAdapterDimExtra)
      continue;
    h.update(e.name);
    if (e.integer)
      h.update(static_cast<uint64_t>(std::llround(e.value)));
    else
      hash_number(h, e.value);
  }
}

}  // namespace

std::string run_state_hash(const ParameterStore& store, const RunProgress& progress) {
  common::ContentHash h;
  auto number = [&](double v) { hash_number(h, v); };
  h.update(store.content_hash()).update(static_cast<uint64_t>(progress.events_done));
  for (const auto& [task, p] : progress.paths) {
    h.update(task).update(p.name).update(p.parent).update(static_cast<uint64_t>(p.ids.size()));
    for (const auto& id : p.ids)
      h.update(id);
    number(p.quality);
    number(p.score);
    hash_recipe(h, p.recipe);
  }
  // Every row in full (carried values included), as when every row was measured in full.
  std::vector<double> row(progress.tasks.size(), -1.0);
  for (size_t i = 0; i < progress.rows.size(); ++i) {
    h.update(static_cast<uint64_t>(progress.row_learned[i]));
    for (const auto& e : progress.rows[i])
      row.at(static_cast<size_t>(e.task)) = e.accuracy;
    for (double v : row)
      number(v);
  }
  return h.hex();
}

}  // namespace evostream::model
