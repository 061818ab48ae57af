#include "model/strategies/mu2net/mu2net_options.hpp"

#include <fmt/format.h>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> Mu2NetOptions::read(streams::OptionReader& r,
                                                           const streams::StrategySpec& common) {
  auto o = std::make_shared<Mu2NetOptions>();
  o->generations = r.integer("generations", o->generations, 1, 10000);
  o->children = r.integer("children", o->children, 1, 1024);
  const int64_t candidates = o->generations * o->children;
  if (common.task_steps % candidates != 0) {
    r.fail(r.table().find("children") ? "children" : "generations",
           fmt::format("expected generations × children to divide [strategy] task_steps ({}), "
                       "found {} × {} = {}",
                       common.task_steps, o->generations, o->children, candidates));
  }
  r.finish();
  return o;
}

std::vector<std::pair<std::string, std::string>> Mu2NetOptions::values() const {
  return {{"children", std::to_string(children)}, {"generations", std::to_string(generations)}};
}

}  // namespace evostream::model
