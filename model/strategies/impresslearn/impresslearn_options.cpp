#include "model/strategies/impresslearn/impresslearn_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> ImpressLearnOptions::read(
    config::OptionReader& r, const config::StrategySpec& common) {
  auto o = std::make_shared<ImpressLearnOptions>();
  o->read_supsup(r);
  o->impressions = r.integer("impressions", o->impressions, 2, 1024);
  o->source = r.choice("source", o->source, {"heterogeneous", "homogeneous", "random"});
  if (o->source == "homogeneous" && common.task_steps % o->impressions != 0) {
    r.fail("impressions",
           fmt::format("expected a divisor of [strategy] task_steps ({}) with source = "
                       "\"homogeneous\" (each impression trains task_steps / K steps), found {}",
                       common.task_steps, o->impressions));
  }
  o->lambda = r.number("lambda", o->lambda, 0.0, 1e6);
  o->alpha_learning_rate = r.number("alpha_learning_rate", o->alpha_learning_rate, 0.0, 10.0, true);
  if (o->source == "random" && o->mask == "threshold")
    r.fail("mask", "expected \"topk\" with source = \"random\" (random masks keep `density`)");
  r.finish();
  return o;
}

std::vector<std::pair<std::string, std::string>> ImpressLearnOptions::values() const {
  auto out = SupSupOptions::values();
  out.emplace_back("alpha_learning_rate", fmt::format("{}", alpha_learning_rate));
  out.emplace_back("impressions", std::to_string(impressions));
  out.emplace_back("lambda", fmt::format("{}", lambda));
  out.emplace_back("source", source);
  return out;
}

}  // namespace evostream::model
