#include "model/strategies/lwf/lwf_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> LwfOptions::read(config::OptionReader& r,
                                                        const config::StrategySpec&) {
  auto o = std::make_shared<LwfOptions>();
  o->read_shared(r);
  o->alpha = r.number("alpha", o->alpha, 0.0, 1e6);
  o->temperature = r.number("temperature", o->temperature, 0.0, 1e3, true);
  r.finish();
  return o;
}

std::vector<std::pair<std::string, std::string>> LwfOptions::values() const {
  auto out = SharedBackboneOptions::values();
  out.emplace_back("alpha", fmt::format("{}", alpha));
  out.emplace_back("temperature", fmt::format("{}", temperature));
  return out;
}

}  // namespace evostream::model
