#include "model/strategies/ewc/ewc_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> EwcOptions::read(config::OptionReader& r,
                                                        const config::StrategySpec&) {
  auto o = std::make_shared<EwcOptions>();
  o->read_shared(r);
  o->lambda = r.number("lambda", o->lambda, 0.0, 1e12);
  o->mode = r.choice("mode", o->mode, {"separate", "online"});
  const bool has_decay = r.table().find("decay") != nullptr;
  o->decay = r.number("decay", o->decay, 0.0, 1.0);
  if (has_decay && o->mode != "online")
    r.fail("decay", "expected only with mode = \"online\", found mode = \"" + o->mode + "\"");
  r.finish();
  return o;
}

std::vector<std::pair<std::string, std::string>> EwcOptions::values() const {
  auto out = SharedBackboneOptions::values();
  out.emplace_back("decay", fmt::format("{}", decay));
  out.emplace_back("lambda", fmt::format("{}", lambda));
  out.emplace_back("mode", mode);
  return out;
}

}  // namespace evostream::model
