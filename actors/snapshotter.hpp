#pragma once

#include <caf/all.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "model/run/stream_runner.hpp"

namespace evostream::actors {

/// Writes one snapshot: what a commit changed and the components it added.
using SnapshotWriter =
    std::function<void(const model::ProgressStep&, const std::vector<model::Component>&)>;

/// The snapshotter: writes the snapshot of each commit it is sent (`snapshot_job`), in the order
/// sent, with `write`, while the run goes on. `(status_atom)` replies the number written once
/// every snapshot sent before it is on disk, or the error of the first write that failed (no
/// later snapshot is written after one failed). Blocks on I/O: spawn it `detached`.
caf::behavior snapshotter(caf::event_based_actor* self, SnapshotWriter write);

}  // namespace evostream::actors
