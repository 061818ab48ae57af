#pragma once

#include <vector>

#include "config/scenario.hpp"
#include "model/run/run_progress.hpp"
#include "model/run/run_results.hpp"
#include "model/strategies/strategy.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// The results of what a run has committed: the accuracy matrix and its metrics (average
/// accuracy, BWT, both forgettings), each task's final account (accounted parameters with the
/// final sharing, the FLOPs of its serving path) and the store's totals.
RunResults build_results(const config::Scenario& scenario, const Strategy& strategy,
                         const RunState& state, const RunProgress& progress,
                         const std::vector<streams::TaskData>& tasks);

}  // namespace evostream::model
