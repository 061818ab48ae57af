#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/rng.hpp"
#include "model/core/component.hpp"
#include "model/strategies/mu2net/hyperparameters.hpp"
#include "model/strategies/mu2net/search_space.hpp"

namespace evostream::model {

/// What a child needs to know about one component of its parent.
struct ComponentRef {
  std::string id;
  ComponentKind kind = ComponentKind::kBlock;
  int64_t index = -1;
  /// The task that owns it (`root` for the root's components).
  std::string owner;
  /// False only for components a candidate of this task trained and nobody committed yet.
  bool frozen = true;
};

/// How a child obtains one of its components.
enum class Origin {
  kReuse,       ///< the parent's frozen component, shared as is
  kClone,       ///< a trainable deep copy of `source`
  kNewAdapter,  ///< a fresh residual adapter (zero output kernel: starts as the identity)
  kNewHead,     ///< a fresh zero head with the task's classes
};

/// One component of a planned child.
struct PlannedComponent {
  Origin origin = Origin::kReuse;
  /// The component reused or cloned; empty for new ones.
  std::string source;
  ComponentKind kind = ComponentKind::kBlock;
  int64_t index = -1;
};

/// A child as decided by the mutations, before any tensor exists.
struct ChildPlan {
  Hyperparameters hp;
  std::vector<PlannedComponent> components;
  /// Blocks the child uses.
  int64_t num_layers = 0;
  /// How many mutations fired (hyperparameter moves, clones, adapters, depth change).
  int64_t mutations = 0;
  /// What they changed, in the order drawn: `learning_rate 0.01 → 0.02` (a hyperparameter
  /// that moved), `blocks 2 → 3`, `adapter at block 1`, `clone root/block0`.
  std::vector<std::string> changes;
};

/// µ2Net's mutations of a parent path into a child (`reference/munet_spec.md` §3).
///
/// Draws, in this fixed order, each with probability µ (the child's own µ after it mutated):
/// the hyperparameters (`SearchSpace::mutate`); the number of blocks, one step up or down
/// within 1..depth (blocks that come back are the root's); for each block below that number
/// without an adapter, inserting one; for each frozen component the child reuses, cloning it so
/// it trains. Components the task trained itself (unfrozen, or committed by this task in an
/// earlier iteration) are always cloned, and so are the root's when `clone_root` (a root that
/// was never trained); the final norm is always cloned (the reference's
/// `force_finetune_components`); a head owned by another task is never reused: the child gets
/// a fresh one. With `bottom_clone` above µ, the frozen components at the bottom of the path
/// (patch embedding, class token, position embedding and block 0) are cloned with that
/// probability instead of µ: the layers a task whose pixels change must retrain.
class Mutation {
 public:
  /// `root_blocks[k]` is the id of the root's block k; `task` the task being learned;
  /// `clone_root`: children always clone the root's components; `bottom_clone`: the least
  /// probability of cloning each frozen bottom component when mutating.
  Mutation(const SearchSpace& space, std::vector<std::string> root_blocks, std::string task,
           bool clone_root = false, double bottom_clone = 0.0);

  /// Plans a child of a parent with components `parent` (in path order) and hyperparameters
  /// `parent_hp`. Without `mutate`, nothing is drawn: the child is the parent with its own
  /// components cloned to train on (µ2Net's final candidate).
  ChildPlan plan(const std::vector<ComponentRef>& parent, const Hyperparameters& parent_hp,
                 common::Rng& rng, bool mutate = true) const;

 private:
  const SearchSpace& space_;
  std::vector<std::string> root_blocks_;
  std::string task_;
  bool clone_root_;
  double bottom_clone_;
};

}  // namespace evostream::model
