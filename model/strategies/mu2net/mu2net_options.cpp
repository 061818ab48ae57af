#include "model/strategies/mu2net/mu2net_options.hpp"

#include <fmt/format.h>

#include <cmath>
#include <tuple>

namespace evostream::model {

std::shared_ptr<const StrategyOptions> Mu2NetOptions::read(config::OptionReader& r,
                                                           const config::StrategySpec& common) {
  auto o = std::make_shared<Mu2NetOptions>();
  o->generations = r.integer("generations", o->generations, 1, 10000);
  o->children = r.integer("children", o->children, 1, 1024);
  o->final_share = r.number("final_share", o->final_share, 0.0, 0.95);
  o->clone_untrained_root = r.boolean("clone_untrained_root", o->clone_untrained_root);
  o->bottom_clone = r.number("bottom_clone", o->bottom_clone, 0.0, 1.0);
  o->patience = r.integer("patience", o->patience, 0, 10000);
  o->continue_schedule = r.boolean("continue_schedule", o->continue_schedule);
  o->keep_final = r.boolean("keep_final", o->keep_final);
  // The options that act on the final candidate need one.
  for (const auto& [key, on, what] :
       {std::tuple{"keep_final", o->keep_final, "to keep"},
        std::tuple{"continue_schedule", o->continue_schedule, "to end the schedule"}}) {
    if (on && o->final_share == 0.0)
      r.fail(key, fmt::format("expected a final candidate {} (final_share > 0), found "
                              "final_share = 0",
                              what));
  }
  const int64_t candidates = o->generations * o->children;
  if (o->final_share == 0.0 && common.task_steps % candidates != 0) {
    r.fail(r.table().find("children") ? "children" : "generations",
           fmt::format("expected generations × children to divide [strategy] task_steps ({}), "
                       "found {} × {} = {}",
                       common.task_steps, o->generations, o->children, candidates));
  }
  if (o->final_share > 0.0 && o->search_steps(common.task_steps) < 1) {
    r.fail("final_share",
           fmt::format("expected the search's share of [strategy] task_steps ({}) to leave each "
                       "of the {} × {} candidates a step, found final_share = {}",
                       common.task_steps, o->generations, o->children, o->final_share));
  }
  r.finish();
  return o;
}

VisitPlan Mu2NetOptions::plan() const {
  const int64_t final = final_share > 0.0 ? 1 : 0;
  return {generations + final, generations * children + final};
}

int64_t Mu2NetOptions::final_steps(int64_t task_steps) const {
  if (final_share == 0.0)
    return 0;
  return task_steps - search_steps(task_steps) * generations * children;
}

int64_t Mu2NetOptions::search_steps(int64_t task_steps) const {
  const auto kept =
      static_cast<int64_t>(std::llround(static_cast<double>(task_steps) * (1.0 - final_share)));
  return kept / (generations * children);
}

std::vector<std::pair<std::string, std::string>> Mu2NetOptions::values() const {
  return {{"bottom_clone", fmt::format("{}", bottom_clone)},
          {"children", std::to_string(children)},
          {"clone_untrained_root", clone_untrained_root ? "true" : "false"},
          {"continue_schedule", continue_schedule ? "true" : "false"},
          {"final_share", fmt::format("{}", final_share)},
          {"generations", std::to_string(generations)},
          {"keep_final", keep_final ? "true" : "false"},
          {"patience", std::to_string(patience)}};
}

}  // namespace evostream::model
