#include "model/strategies/shared_backbone/shared_backbone_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> SharedBackboneOptions::read(config::OptionReader& r,
                                                                   const config::StrategySpec&) {
  auto o = std::make_shared<SharedBackboneOptions>();
  o->read_shared(r);
  r.finish();
  return o;
}

void SharedBackboneOptions::read_shared(config::OptionReader& r) {
  optimizer = r.choice("optimizer", optimizer, {"sgd", "adam"});
  learning_rate = r.number("learning_rate", learning_rate, 0.0, 10.0, true);
  schedule = r.choice("schedule", schedule, {"cosine", "flat", "constant", "restarts"});
  warmup_ratio = r.number("warmup_ratio", warmup_ratio, 0.0, 1.0);
  momentum = r.number("momentum", momentum, 0.0, 1.0);
  weight_decay = r.number("weight_decay", weight_decay, 0.0, 1.0);
  clip_norm = r.number("clip_norm", clip_norm, 0.0, 1e6);
  carry_optimizer = r.boolean("carry_optimizer", carry_optimizer);
  head_init = r.choice("head_init", head_init, {"zeros", "uniform"});
}

std::vector<std::pair<std::string, std::string>> SharedBackboneOptions::values() const {
  return {{"carry_optimizer", carry_optimizer ? "true" : "false"},
          {"clip_norm", fmt::format("{}", clip_norm)},
          {"head_init", head_init},
          {"learning_rate", fmt::format("{}", learning_rate)},
          {"momentum", fmt::format("{}", momentum)},
          {"optimizer", optimizer},
          {"schedule", schedule},
          {"warmup_ratio", fmt::format("{}", warmup_ratio)},
          {"weight_decay", fmt::format("{}", weight_decay)}};
}

}  // namespace evostream::model
