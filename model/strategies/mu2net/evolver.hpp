#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/core/component_usage.hpp"
#include "model/core/parameter_store.hpp"
#include "model/core/path.hpp"
#include "model/strategies/mu2net/mutation.hpp"
#include "model/strategies/mu2net/search_space.hpp"
#include "model/train/candidate.hpp"
#include "model/train/trainer.hpp"

namespace evostream::model {

/// Where one task's evolution stands in the run and what it may spend.
struct EvolutionSettings {
  /// Generations of this task iteration. Default: 4.
  int64_t generations = 4;
  /// Children per generation. Default: 4.
  int64_t children = 4;
  /// s of the score; 1 = no size penalty. Default: 1.0.
  double scale_factor = 1.0;
  /// The run seed. Default: 1.
  uint64_t seed = 1;
  /// The task's position in the stream (part of every seed). Default: 0.
  int64_t task_index = 0;
  /// Which visit of the task this is, from 0. Default: 0.
  int64_t iteration = 0;
  /// Steps of each search candidate; 0 leaves them to the trainer's default. Default: 0.
  int64_t candidate_steps = 0;
  /// Steps of the final candidate (the best path trained on, unmutated); 0: none. Default: 0.
  int64_t final_steps = 0;
  /// Children always clone the root's components (a root that was never trained). Default:
  /// false.
  bool clone_root = false;
  /// The least probability with which a mutating child clones each frozen bottom component
  /// (embeddings and block 0); below µ it changes nothing. Default: 0.0.
  double bottom_clone = 0.0;
  /// Generations in a row without a better best score after which the search ends; 0: never.
  /// Default: 0.
  int64_t patience = 0;
  /// Every candidate trains its stretch of one learning-rate schedule over the visit's lineage
  /// (generation g the steps after g search candidates' worth, the final candidate the last
  /// `final_steps`) instead of a warmup and decay of its own; needs `candidate_steps`.
  /// Default: false.
  bool continue_schedule = false;
  /// The final candidate is committed whatever it scores, instead of only above the path it
  /// trained on. Default: false.
  bool keep_final = false;
};

/// The evolutionary search of one task iteration (µ2Net), without any training of its own.
///
/// `propose(g)` plans and materialises the children of generation g; the caller trains them
/// (anywhere, in any order) and hands each result to `record`. Every draw comes from a generator
/// seeded by (run seed, task, iteration, generation, child), so the outcome does not depend on
/// who trained what or in which order results came back.
class Evolver {
 public:
  /// `seeds`: the committed paths of other tasks and the root's path, whose components are in
  /// `store` (read when a seed is picked as a parent, so they must outlive the evolver);
  /// `previous`: this task's own committed path from an earlier iteration, if any;
  /// `offspring`: children per path name for this task, kept across iterations (names of
  /// paths that had none are not added).
  Evolver(const ParameterStore& store, const ComponentUsage& usage, std::vector<const Path*> seeds,
          std::optional<Path> previous, std::map<std::string, int64_t>& offspring,
          const SearchSpace& space, const config::ArchitectureSpec& arch, std::string task,
          int64_t classes, double root_params, EvolutionSettings settings);

  /// The children of generation `generation` (results of earlier generations must be recorded).
  std::vector<Candidate> propose(int64_t generation);
  /// The final candidate, as generation `generation`: a child of the best path so far with
  /// nothing mutated, training its own components for `settings.final_steps` plus
  /// `extra_steps` (what a search that ended early left). None when nothing was kept or the
  /// settings have no final steps.
  std::vector<Candidate> propose_final(int64_t generation, int64_t extra_steps = 0);
  /// Scores a trained candidate and keeps it in the population if it beats its parent (the
  /// final candidate always, with `settings.keep_final`, and it is then the best path).
  CandidateRecord record(const Candidate& candidate, const TrainResult& result);

  /// The best path so far (highest score; the earliest on ties). Raises when nothing was kept.
  const Path& best();
  /// The best path's score so far; -infinity when nothing was kept.
  double best_score();
  /// The components of the best path that are not in the store yet: what the task commits.
  std::vector<Component> new_components();
  /// Components of the best path, in order.
  const std::vector<std::shared_ptr<const Component>>& best_components();

 private:
  struct Member {
    Path path;
    std::vector<std::shared_ptr<const Component>> components;
  };
  Member member_of(const Path& path) const;
  /// Places candidate `c` of generation `generation` on the visit's schedule when the settings
  /// continue one (`EvolutionSettings::continue_schedule`).
  void place_on_schedule(Candidate& c, int64_t generation) const;
  /// Child `child` of generation `generation` from `parent`, drawing from `rng`.
  Candidate child_of(const Member& parent, int64_t generation, int64_t child, bool mutate,
                     common::Rng& rng) const;
  /// The member with the best path (highest score; the earliest on ties), once pending
  /// children are merged; null when there is none.
  const Member* best_member();
  double score_of(const Path& path, const std::vector<std::shared_ptr<const Component>>& components,
                  double quality) const;
  void merge_pending();
  /// Whether `name` is the final candidate's path.
  bool is_final(const std::string& name) const { return !final_.empty() && name == final_; }

  const ParameterStore& store_;
  const ComponentUsage& usage_;
  std::vector<const Path*> seeds_;
  // Children each seed had so far (as in `offspring_`), kept here so that picking a parent
  // does not look every seed up.
  std::vector<int64_t> seed_offspring_;
  std::vector<Member> population_;
  std::vector<std::pair<int64_t, Member>> pending_;  // kept children of the running generation
  std::map<std::string, int64_t>& offspring_;
  const SearchSpace& space_;
  config::ArchitectureSpec arch_;
  std::string task_;
  int64_t classes_;
  double root_params_;
  EvolutionSettings settings_;
  Mutation mutation_;
  std::string final_;  // the final candidate's path name, once proposed
};

}  // namespace evostream::model
