#include "model/strategies/joint/joint_parts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace evostream::model {

std::string JointParts::id(const std::string& owner, ComponentKind kind, int64_t index,
                           const std::string& task) {
  return derived_id(owner, kind, index, "@joint." + task);
}

void JointParts::split(TaskOutcome& out, const std::string& joined,
                       const std::vector<int64_t>& rows, const std::vector<std::string>& tasks) {
  const auto at = std::find_if(out.added.begin(), out.added.end(),
                               [&](const Component& c) { return c.id() == joined; });
  if (at == out.added.end())
    throw std::logic_error("joint: the trained path lost its joined component " + joined);
  const auto own = std::find(tasks.begin(), tasks.end(), out.path.task);
  if (own == tasks.end())
    throw std::logic_error("joint: task " + out.path.task + " is not among the joined tasks");
  const Component whole = *at;
  out.added.erase(at);
  const std::string& owner = whole.owner();
  for (size_t t = 0; t < tasks.size(); ++t) {
    std::vector<at::Tensor> cut;
    for (const auto& tensor : whole.tensors()) {
      cut.push_back(tensor.is_floating_point()
                        ? tensor.narrow(0, rows[t], rows[t + 1] - rows[t]).clone()
                        : tensor.clone());
    }
    out.added.emplace_back(id(owner, whole.kind(), whole.index(), tasks[t]), whole.kind(),
                           whole.index(), owner, "", whole.names(), std::move(cut));
  }
  std::replace(out.path.ids.begin(), out.path.ids.end(), joined,
               id(owner, whole.kind(), whole.index(), *own));
}

Path JointParts::path_of(const RunState& state, const TaskContext& ctx,
                         const std::string& strategy) {
  const Path& trained = state.paths.at(state.last_task);
  const std::string owner = state.store.get(trained.ids.back())->owner();
  Path path = trained;
  path.name = fmt::format("{}@{}", ctx.task.name(), ctx.iteration);
  path.task = ctx.task.name();
  for (auto& id_ : path.ids) {
    const auto c = state.store.get(id_);
    if (id_ != id(owner, c->kind(), c->index(), trained.task))
      continue;
    id_ = id(owner, c->kind(), c->index(), ctx.task.name());
    if (!state.store.contains(id_)) {
      throw std::invalid_argument(fmt::format(
          "strategy {}: task {} was not in the stream when the joint model trained (at task "
          "{}); joint training learns the whole stream at once and cannot take tasks added "
          "later",
          strategy, ctx.task.name(), owner));
    }
  }
  return path;
}

}  // namespace evostream::model
