#pragma once

#include <string>
#include <vector>

#include "model/train/candidate.hpp"

namespace evostream::report {

/// A task's search drawn as SVG (its candidates as the run's `candidate` events record them):
/// each candidate at its generation (x) and validation accuracy
/// (y, fixed 0–100%), kept ones larger and green, dropped ones grey, the committed path ringed,
/// and a line from each candidate to its parent: a candidate of the same search, or one of the
/// seed paths it started from (the root, other tasks' paths), drawn in a column of their own
/// left of generation 0. Tooltips give each candidate's name, parent, accuracy, score, trained
/// parameters and what its mutations changed.
std::string search_chart(const std::string& id, const std::string& task,
                         const std::vector<model::CandidateRecord>& points,
                         const std::string& committed);

}  // namespace evostream::report
