#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/strategies/mod_squad/mod_squad_options.hpp"
#include "model/strategies/path_draft.hpp"
#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// Mod-Squad in a stream: a mixture-of-experts ViT (the moe-vit family) whose tasks route
/// through shared experts with routers of their own, and where a task adds experts instead of
/// changing those of the tasks before it.
///
/// The first task trains a copy of the whole root (trunk, experts, router, task embedding)
/// with a head of its own. Every later task starts from the latest committed task's path: its
/// trunk and every expert stay frozen, and the task trains `new_experts` new experts per MoE
/// block, a zero-initialised router over all of that block's experts, a task embedding and a
/// head, minimising cross-entropy plus the MI term against the earlier tasks' stored usage
/// (`MutualInformationLoss`). Nothing an earlier task owns changes, so old predictions stay
/// bit-identical (BWT 0). A committed task keeps its expert usage as `expert_usage`
/// components beside its routers (`usage_id`), on no path.
///
/// With `mode = "joint"`, the first visit trains a copy of the root on every task of the
/// stream at once (`JointData`, tasks × `[strategy] task_steps` steps), each task with its own
/// router rows, task embedding and head (`MoeVitLayout`'s joint model), minimising
/// `JointModSquadLoss`; the joint parts are then cut into each task's own (`JointParts`), all
/// owned by the first task, with each task's usage. Later visits train nothing. Joint mode
/// needs every task's images in one shape and a stream known from the start.
class ModSquadStrategy : public Strategy {
 public:
  explicit ModSquadStrategy(StrategyEnvironment env);
  std::string name() const override { return "mod-squad"; }
  bool offline() const override { return options().mode == "joint"; }
  std::unique_ptr<TaskLearner> start(const RunState& state, const TaskContext& ctx) override;

  /// The id of the usage kept for router `router_id`.
  static std::string usage_id(const std::string& router_id) { return router_id + ".usage"; }

 private:
  const ModSquadOptions& options() const { return env_.options_as<ModSquadOptions>(); }
  /// The first visit of joint mode: every task at once.
  std::unique_ptr<TaskLearner> train_joint(const RunState& state, const TaskContext& ctx) const;
  /// `c` under id `id` and owner `owner`, its floating-point tensors repeated `times` times
  /// along their first dimension (one copy per task of a joint model).
  static Component repeated(const Component& c, const std::string& id, const std::string& owner,
                            int64_t times);
  /// Appends to `out` the usage of the path `ids` (components of `out.added` or of the store)
  /// measured on `images` training images of `task`: one `expert_usage` component per router.
  static void add_expert_usage(TaskOutcome& out, const std::vector<std::string>& ids,
                               const ModelFamily& family, const streams::TaskData& task,
                               const RunState& run, int64_t images, int64_t image_size);
  /// The earlier tasks' P(e | t) rows for each MoE block of a path (`MutualInformationLoss`).
  std::vector<std::vector<at::Tensor>> earlier_usage(const RunState& state,
                                                     const std::string& task) const;
};

}  // namespace evostream::model
