#pragma once

#include <caf/all.hpp>

namespace evostream::actors {

/// The recorder: runs the run's observer calls (`observer_call`: task started, candidate done,
/// task committed) one at a time, in the order they were sent, so progress display and event
/// log see one ordered stream whichever actor reported, and no evolver or owner waits on them.
/// `(status_atom)` replies the number of calls run once every earlier one has.
caf::behavior recorder(caf::event_based_actor* self);

}  // namespace evostream::actors
