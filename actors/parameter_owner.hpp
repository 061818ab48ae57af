#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <memory>
#include <vector>

#include "model/run/stream_runner.hpp"

namespace evostream::actors {

/// The parameter owner: the only actor that touches the run's store and progress (through its
/// `StreamRunner`), so immutability is enforced in one place.
///
/// `(begin_atom, event)` → `visit_ref`: starts a task visit from the model as the scenario's
/// concurrency defines it. `(commit_atom, visit_ref)` → `commit_ref`: commits the visit's path
/// (the store refuses a write to a frozen component and is verified after every commit),
/// evaluates the tasks whose path changed and answers with what the commit did, for the
/// coordinator to hand to the snapshotter and the recorder. Errors come back as error replies.
/// Commits evaluate: spawn it `detached`.
caf::behavior parameter_owner(caf::event_based_actor* self, model::StreamRunner* runner,
                              std::shared_ptr<const std::vector<streams::TaskData>> tasks,
                              const std::atomic<bool>* stop);

}  // namespace evostream::actors
