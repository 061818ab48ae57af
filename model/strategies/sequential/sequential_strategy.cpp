#include "model/strategies/sequential/sequential_strategy.hpp"

#include "model/strategies/path_draft.hpp"

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
  PathDraft draft(ctx);
  for (const auto& c : state.store.resolve(latest_backbone(state)))
    draft.add_clone(*c);
  draft.add_head(env_.architecture.dim);
  return train_once(std::move(draft.path()), std::move(draft.components()), state, ctx);
}

Path SequentialStrategy::serving_path(const RunState& state, const std::string& task) const {
  Path own = Strategy::serving_path(state, task);
  std::vector<std::string> ids = latest_backbone(state);
  ids.push_back(own.ids.back());
  own.ids = std::move(ids);
  return own;
}

}  // namespace evostream::model
