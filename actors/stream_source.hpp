#pragma once

#include <caf/all.hpp>
#include <vector>

namespace evostream::actors {

/// The seconds after the stream starts at which each task arrives: task e arrives `delays[e]`
/// seconds after task e − 1 (the scenario's `delay`, measured from the previous arrival).
std::vector<double> arrival_times(const std::vector<double>& delays);

/// The stream source: on `start_atom` it announces each task of the stream to `coordinator` as
/// `(arrive_atom, index)` at its arrival time (`arrival_times`), on the actor system's clock.
/// Revisits of later iterations are not announced: a task is there once it has arrived.
caf::behavior stream_source(caf::event_based_actor* self, std::vector<double> delays,
                            caf::actor coordinator);

}  // namespace evostream::actors
