#include "model/run/state_hash.hpp"

#include <cstring>
#include <type_traits>

#include "common/content_hash.hpp"

namespace evostream::model {

std::string run_state_hash(const ParameterStore& store, const RunProgress& progress) {
  common::ContentHash h;
  auto number = [&](double v) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    h.update(bits);
  };
  h.update(store.content_hash()).update(static_cast<uint64_t>(progress.events_done));
  for (const auto& [task, p] : progress.paths) {
    h.update(task).update(p.name).update(p.parent).update(static_cast<uint64_t>(p.ids.size()));
    for (const auto& id : p.ids)
      h.update(id);
    number(p.quality);
    number(p.score);
    // The hyperparameters by kind: the numbers, then the choices and flags, then the integers,
    // each kind in declaration order.
    visit_fields(p.hp, [&](const char*, const auto& v) {
      if constexpr (std::is_floating_point_v<std::decay_t<decltype(v)>>)
        number(v);
    });
    visit_fields(p.hp, [&](const char*, const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_enum_v<T> || std::is_same_v<T, bool>)
        h.update(static_cast<uint64_t>(v));
    });
    visit_fields(p.hp, [&](const char*, const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        h.update(static_cast<uint64_t>(v));
    });
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
