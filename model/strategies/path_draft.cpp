#include "model/strategies/path_draft.hpp"

#include "model/nn/vit/vit_factory.hpp"

namespace evostream::model {

PathDraft::PathDraft(const TaskContext& ctx)
    : classes_(ctx.task.num_classes), suffix_("@" + std::to_string(ctx.iteration)) {
  path_.task = ctx.task.name();
  path_.name = path_.task + suffix_;
}

void PathDraft::add(std::shared_ptr<const Component> c) {
  path_.ids.push_back(c->id());
  components_.push_back(std::move(c));
}

void PathDraft::add_clone(const Component& c) {
  add(std::make_shared<const Component>(
      c.clone(derived_id(path_.task, c.kind(), c.index(), suffix_), path_.task)));
}

void PathDraft::add_head(int64_t dim, std::optional<uint64_t> uniform_seed) {
  add(std::make_shared<const Component>(
      VitFactory::head(derived_id(path_.task, ComponentKind::kHead, -1, suffix_), path_.task, dim,
                       classes_, uniform_seed)));
}

}  // namespace evostream::model
