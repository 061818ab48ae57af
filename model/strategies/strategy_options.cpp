#include "model/strategies/strategy_options.hpp"

namespace evostream::model {

std::shared_ptr<const StrategyOptions> NoOptions::read(config::OptionReader& r,
                                                       const config::StrategySpec&) {
  r.finish();
  return std::make_shared<const NoOptions>();
}

}  // namespace evostream::model
