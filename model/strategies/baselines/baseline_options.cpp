#include "model/strategies/baselines/baseline_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> BaselineOptions::read(config::OptionReader& r,
                                                             const config::StrategySpec& common) {
  auto o = std::make_shared<BaselineOptions>();
  o->models = r.integer("models", o->models, 1, 1024);
  if (common.task_steps % o->models != 0) {
    r.fail("models", fmt::format("expected a divisor of [strategy] task_steps ({}), found {}",
                                 common.task_steps, o->models));
  }
  r.finish();
  return o;
}

}  // namespace evostream::model
