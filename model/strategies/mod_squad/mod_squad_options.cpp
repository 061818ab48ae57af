#include "model/strategies/mod_squad/mod_squad_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> ModSquadOptions::read(config::OptionReader& r,
                                                             const config::StrategySpec&) {
  auto o = std::make_shared<ModSquadOptions>();
  o->read_shared(r);
  o->mode = r.choice("mode", o->mode, {"continual", "joint"});
  o->new_experts = r.integer("new_experts", o->new_experts, 0, 4096);
  o->w_mi = r.number("w_mi", o->w_mi, 0.0, 1e6);
  o->usage_images = r.integer("usage_images", o->usage_images, 1, 1 << 24);
  r.finish();
  return o;
}

std::vector<std::pair<std::string, std::string>> ModSquadOptions::values() const {
  auto out = SharedBackboneOptions::values();
  out.emplace_back("mode", mode);
  out.emplace_back("new_experts", fmt::format("{}", new_experts));
  out.emplace_back("w_mi", fmt::format("{}", w_mi));
  out.emplace_back("usage_images", fmt::format("{}", usage_images));
  return out;
}

}  // namespace evostream::model
