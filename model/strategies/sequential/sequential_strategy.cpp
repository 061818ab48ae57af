#include "model/strategies/sequential/sequential_strategy.hpp"

#include <fmt/format.h>

#include "model/vit_factory.hpp"

namespace evostream::model {

namespace {

// The backbone (every component but the head) of the path that committed last, or the root's.
std::vector<std::string> latest_backbone(const RunState& state) {
  const Path& from = state.last_task.empty() ? state.root : state.paths.at(state.last_task);
  return {from.ids.begin(), from.ids.end() - 1};
}

}  // namespace

std::unique_ptr<TaskLearner> SequentialStrategy::start(const RunState& state,
                                                       const TaskContext& ctx) {
  const std::string& task = ctx.task.name();
  const std::string suffix = fmt::format("@{}", ctx.iteration);
  Path path;
  path.name = task + suffix;
  path.task = task;
  std::vector<std::shared_ptr<const Component>> components;
  for (const auto& c : state.store.resolve(latest_backbone(state))) {
    auto copy = std::make_shared<const Component>(
        c->clone(derived_id(task, c->kind(), c->index(), suffix), task));
    path.ids.push_back(copy->id());
    components.push_back(std::move(copy));
  }
  auto head = std::make_shared<const Component>(
      VitFactory::head(derived_id(task, ComponentKind::kHead, -1, suffix), task,
                       env_.architecture.dim, ctx.task.num_classes));
  path.ids.push_back(head->id());
  components.push_back(std::move(head));
  return train_once(std::move(path), std::move(components), state, ctx);
}

Path SequentialStrategy::serving_path(const RunState& state, const std::string& task) const {
  Path own = Strategy::serving_path(state, task);
  std::vector<std::string> ids = latest_backbone(state);
  ids.push_back(own.ids.back());
  own.ids = std::move(ids);
  return own;
}

}  // namespace evostream::model
