#pragma once

#include <string>

#include "model/core/parameter_store.hpp"
#include "model/run/run_progress.hpp"

namespace evostream::model {

/// A hash of a run's state: the store's content, the committed paths (components, recipes,
/// scores), the stream cursor and the accuracy matrix; timings are left out.
/// Two runs that end in the same state have the same hash (16 hex digits).
std::string run_state_hash(const ParameterStore& store, const RunProgress& progress);

}  // namespace evostream::model
