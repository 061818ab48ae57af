#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/train/candidate.hpp"

namespace evostream::report {

/// The report's section on how the committed candidates trained: for each task among
/// `searches` (a task and the candidates of its latest visit, as the report's search charts
/// take them) whose committed candidate (`committed`: task → committed path name) recorded a
/// training curve, one line per task over the training steps in each chart: validation
/// accuracy (fixed 0–100%), the training loss over stretches of steps, and one chart per loss
/// term the objective reported (Mod-Squad's mutual information, EWC's penalty, LwF's
/// distillation, ...).
///
/// Empty when no committed candidate has a curve (runs recorded before candidates kept one, or
/// whose committed path was not trained in its latest visit).
std::string training_curves(
    const std::vector<std::pair<std::string, std::vector<model::CandidateRecord>>>& searches,
    const std::map<std::string, std::string>& committed);

/// The report's section on how the root trained (`root`): its validation accuracy and training
/// loss over its steps; empty when `root` has no points (an imported or initialised root).
std::string root_training(const model::TrainingCurve& root);

}  // namespace evostream::report
