#include "model/strategies/joint/joint_strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/nn/vit/vit_factory.hpp"
#include "model/strategies/joint/joint_data.hpp"
#include "model/strategies/joint/joint_loss.hpp"
#include "model/strategies/path_draft.hpp"
#include "model/strategies/shared_backbone/shared_backbone_strategy.hpp"

namespace evostream::model {

namespace {

// The first visit: candidates train on the union with the joint loss for the stream's budget;
// the committed joined head is cut into one head per task.
class JointVisit : public TaskLearner {
 public:
  JointVisit(std::unique_ptr<TaskLearner> inner, JointData joint, std::string joined_head,
             int64_t steps, std::shared_ptr<const Objective> objective, OptimizerOptions optimizer)
      : inner_(std::move(inner)),
        joint_(std::move(joint)),
        joined_head_(std::move(joined_head)),
        steps_(steps),
        objective_(std::move(objective)),
        optimizer_(optimizer) {}

  std::vector<Candidate> next() override {
    auto batch = inner_->next();
    for (auto& c : batch) {
      c.steps = steps_;
      c.objective = objective_;
      c.optimizer = optimizer_;
      c.data = joint_.data;
    }
    return batch;
  }

  CandidateRecord record(const Candidate& c, const TrainResult& r) override {
    return inner_->record(c, r);
  }

  TaskOutcome finish() override {
    TaskOutcome out = inner_->finish();
    const auto joined = std::find_if(out.added.begin(), out.added.end(),
                                     [&](const Component& c) { return c.id() == joined_head_; });
    if (joined == out.added.end())
      throw std::logic_error("joint: the trained path lost its joined head " + joined_head_);
    const Component whole = *joined;
    out.added.erase(joined);
    const std::string& owner = whole.owner();
    for (size_t t = 0; t < joint_.tasks.size(); ++t) {
      const int64_t from = joint_.offsets[t];
      const int64_t classes = joint_.offsets[t + 1] - from;
      std::vector<at::Tensor> cut;
      for (const auto& tensor : whole.tensors())
        cut.push_back(tensor.narrow(0, from, classes).clone());
      out.added.emplace_back(JointStrategy::head_id(owner, joint_.tasks[t]), ComponentKind::kHead,
                             -1, owner, "", whole.names(), std::move(cut));
    }
    out.path.ids.back() = JointStrategy::head_id(owner, out.path.task);
    return out;
  }

 private:
  std::unique_ptr<TaskLearner> inner_;
  JointData joint_;
  std::string joined_head_;
  int64_t steps_;
  std::shared_ptr<const Objective> objective_;
  OptimizerOptions optimizer_;
};

// A later visit: nothing trains; the task's path is the joint backbone and its own head.
class CommittedVisit : public TaskLearner {
 public:
  explicit CommittedVisit(Path path) { outcome_.path = std::move(path); }
  std::vector<Candidate> next() override { return {}; }
  CandidateRecord record(const Candidate&, const TrainResult&) override {
    throw std::logic_error("joint: a later visit trains no candidate");
  }
  TaskOutcome finish() override { return std::move(outcome_); }

 private:
  TaskOutcome outcome_;
};

}  // namespace

JointStrategy::JointStrategy(StrategyEnvironment env) : Strategy(std::move(env)) {
  if (env_.simulation) {
    throw std::invalid_argument(
        "strategy joint: needs real training (it trains on every task's images at once); "
        "simulated trainers cannot run it");
  }
}

std::string JointStrategy::head_id(const std::string& owner, const std::string& task) {
  return derived_id(owner, ComponentKind::kHead, -1, "@joint." + task);
}

std::unique_ptr<TaskLearner> JointStrategy::start(const RunState& state, const TaskContext& ctx) {
  if (state.last_task.empty())
    return train_joint(state, ctx);
  // Every path of the run shares the joint backbone and takes its head from the first task.
  const Path& trained = state.paths.at(state.last_task);
  const std::string owner = state.store.get(trained.ids.back())->owner();
  Path path = trained;
  path.name = fmt::format("{}@{}", ctx.task.name(), ctx.iteration);
  path.task = ctx.task.name();
  path.ids.back() = head_id(owner, ctx.task.name());
  if (!state.store.contains(path.ids.back())) {
    throw std::invalid_argument(fmt::format(
        "strategy joint: task {} was not in the stream when the joint model trained (at task "
        "{}); joint training learns the whole stream at once and cannot take tasks added later",
        ctx.task.name(), owner));
  }
  return std::make_unique<CommittedVisit>(std::move(path));
}

std::unique_ptr<TaskLearner> JointStrategy::train_joint(const RunState& state,
                                                        const TaskContext& ctx) const {
  if (ctx.stream == nullptr)
    throw std::logic_error("joint: the task context carries no stream to train on");
  JointData joint = JointData::of(*ctx.stream);
  PathDraft draft(ctx);
  for (const auto& c : state.store.resolve(SharedBackboneStrategy::backbone_of(state.root)))
    draft.add_clone(*c);
  const std::string joined =
      derived_id(ctx.task.name(), ComponentKind::kHead, -1, draft.suffix() + ".joined");
  draft.add(std::make_shared<const Component>(
      VitFactory::head(joined, ctx.task.name(), env_.architecture.dim, joint.offsets.back())));
  draft.path().hp = SharedBackboneStrategy::hyperparameters_of(options());
  auto inner = train_once(std::move(draft.path()), std::move(draft.components()), state, ctx);
  const int64_t steps = env_.spec.task_steps * static_cast<int64_t>(joint.tasks.size());
  auto loss = std::make_shared<const JointLoss>(joint.offsets);
  return std::make_unique<JointVisit>(std::move(inner), std::move(joint), joined, steps,
                                      std::move(loss),
                                      SharedBackboneStrategy::optimizer_of(options()));
}

}  // namespace evostream::model
