#pragma once

#include <cstdint>
#include <memory>

#include "model/strategies/strategy_options.hpp"

namespace evostream::model {

/// µ2Net's options: the `[strategy.mu2net]` table.
///
/// A task visit trains `generations` × `children` candidates, each for an equal share of
/// `[strategy] task_steps`; with `final_share` > 0, that share of the steps goes instead to one
/// last candidate that trains the visit's best path on, unmutated.
class Mu2NetOptions : public StrategyOptions {
 public:
  /// Key `generations`: evolutionary generations per task visit. Default: 4.
  int64_t generations = 4;
  /// Key `children`: candidates per generation. Default: 4.
  int64_t children = 4;
  /// Key `final_share`: the share of `task_steps` spent after the search, training the best
  /// path's own components further with its hyperparameters (no mutation); kept, as every
  /// candidate, only if it scores above that path. 0 splits every step among the search's
  /// candidates. Default: 0.5.
  double final_share = 0.5;
  /// Key `clone_untrained_root`: when the root was never trained (`[root] source = "init"`),
  /// children always clone the root's components instead of reusing them frozen (random
  /// weights are worth nothing frozen). Default: true.
  bool clone_untrained_root = true;
  /// Key `bottom_clone`: the least probability with which a child clones each frozen component
  /// at the bottom of its parent's path (patch embedding, class token, position embedding and
  /// block 0) instead of sharing it; µ (0.1 to 0.3) when higher. Tasks whose pixels change
  /// (permuted, rotated) need their own bottom layers. Default: 0.0.
  double bottom_clone = 0.0;
  /// Key `patience`: the search ends once this many generations in a row have not raised the
  /// best score; the steps of the generations left go to the final candidate (without one, they
  /// are not spent). 0 always runs every generation. Default: 0.
  int64_t patience = 0;
  /// Key `continue_schedule`: a child continues its lineage's learning-rate schedule instead
  /// of starting one of its own: every candidate trains its stretch of one warmup and decay
  /// over generations × the search candidates' steps + the final candidate's (generation g
  /// from g search candidates' steps on, the final candidate the last stretch). Needs a final
  /// candidate (final_share > 0). Default: false.
  bool continue_schedule = false;
  /// Key `keep_final`: the final candidate is committed whatever its validation score, instead
  /// of only when it scores above the search's best (whose score, the best of many short
  /// candidates' validations, is an optimistic one). Needs a final candidate. Default: false.
  bool keep_final = false;

  /// Reads the table. Without a final candidate, generations × children must divide
  /// `common.task_steps`; with one, the search's share must leave each candidate a step.
  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  VisitPlan plan() const override;
  std::vector<std::pair<std::string, std::string>> values() const override;

  /// Steps of the final candidate out of `task_steps` (0 without one).
  int64_t final_steps(int64_t task_steps) const;
  /// Steps of each search candidate out of `task_steps`; the remainder of the division goes to
  /// the final candidate.
  int64_t search_steps(int64_t task_steps) const;
  /// The search candidates' steps (`search_steps`).
  int64_t candidate_steps(int64_t task_steps) const override { return search_steps(task_steps); }
};

}  // namespace evostream::model
