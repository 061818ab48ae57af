#pragma once

#include <atomic>
#include <caf/all.hpp>
#include <memory>
#include <vector>

#include "actors/messages.hpp"
#include "model/run/stream_runner.hpp"
#include "streams/stream_tasks.hpp"

namespace evostream::actors {

/// The parameter owner's interface:
///
/// ```
/// (begin_atom, int64_t event)  → visit_ref   a task visit begun
/// (commit_atom, visit_ref)     → commit_ref  what committing it did
/// ```
using parameter_owner_actor =
    caf::typed_actor<caf::replies_to<begin_atom, int64_t>::with<visit_ref>,
                     caf::replies_to<commit_atom, visit_ref>::with<commit_ref>>;

/// The parameter owner: the only actor that touches the run's store and progress (through its
/// `StreamRunner`), so immutability is enforced in one place.
///
/// `(begin_atom, event)` → `visit_ref`: starts a task visit from the model as the scenario's
/// concurrency defines it. `(commit_atom, visit_ref)` → `commit_ref`: commits the visit's path
/// (the store refuses a write to a frozen component and is verified after every commit),
/// evaluates the tasks whose path changed and answers with what the commit did, for the
/// coordinator to hand to the snapshotter and the recorder. Both use the stream's latest tasks
/// (a served stream grows). Errors come back as error replies.
/// Commits evaluate: spawn it `detached`.
parameter_owner_actor::behavior_type parameter_owner(
    parameter_owner_actor::pointer self, model::StreamRunner* runner,
    std::shared_ptr<const streams::StreamTasks> tasks, const std::atomic<bool>* stop);

}  // namespace evostream::actors
