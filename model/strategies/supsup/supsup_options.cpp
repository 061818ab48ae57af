#include "model/strategies/supsup/supsup_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> SupSupOptions::read(config::OptionReader& r,
                                                           const config::StrategySpec&) {
  auto o = std::make_shared<SupSupOptions>();
  o->read_supsup(r);
  r.finish();
  return o;
}

void SupSupOptions::read_supsup(config::OptionReader& r) {
  read_shared(r);
  const bool has_density = r.table().find("density") != nullptr;
  density = r.number("density", density, 0.0, 1.0, true);
  mask = r.choice("mask", mask, {"topk", "threshold"});
  if (has_density && mask == "threshold")
    r.fail("density", "expected only with mask = \"topk\", found mask = \"threshold\"");
}

std::vector<std::pair<std::string, std::string>> SupSupOptions::values() const {
  auto out = SharedBackboneOptions::values();
  out.emplace_back("density", fmt::format("{}", density));
  out.emplace_back("mask", mask);
  return out;
}

}  // namespace evostream::model
