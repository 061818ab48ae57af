#pragma once

#include <string>
#include <vector>

#include "model/run/forward_transfer.hpp"
#include "model/run/stream_runner.hpp"
#include "report/confusion_chart.hpp"
#include "report/search_chart.hpp"

namespace evostream::report {

/// A run's self-contained HTML report: inline SVG and CSS only, no scripts, nothing fetched.
///
/// Shows the headline metrics, the accuracy-matrix heat map, test accuracy per task (other runs'
/// beside it when given), parameters per task and in the store as tasks arrive, training time
/// per task, the model graph (`ModelGraph`) and a per-task table.
class ReportPage {
 public:
  /// A task's search: its name and the candidates of its latest visit, in the order trained.
  using Search = std::pair<std::string, std::vector<model::CandidateRecord>>;
  /// What the page draws from the run's events.
  struct History {
    /// The searches of the tasks learned last, one chart each (`search_chart`), with their
    /// committed candidates' training (`training_curves`).
    std::vector<Search> searches;
    /// How the root trained (`root_training`); empty when it was not trained by the run.
    model::TrainingCurve root;
  };

  /// The page for `run` (read from `run_dir`), with `others` compared beside it; `labels` name
  /// the runs in legends (the run first), e.g. their strategies or directories. `history`
  /// (from the run's events; none by default) adds the searches and the training curves,
  /// `confusions` (none by default) one confusion matrix each (`confusion_chart`), and
  /// `transfer` (none by default) the forward transfer to each task, measured with linear
  /// probes (`model::ForwardTransfer`).
  static std::string html(const model::RunResults& run,
                          const std::vector<model::RunResults>& others,
                          const std::vector<std::string>& labels, const std::string& run_dir,
                          const History& history = {},
                          const std::vector<Confusion>& confusions = {},
                          const std::vector<model::TaskTransfer>& transfer = {});
  /// Labels for runs: their strategies, with the seed or the directory added where two would
  /// read the same.
  static std::vector<std::string> labels(const std::vector<model::RunResults>& runs,
                                         const std::vector<std::string>& dirs);
};

}  // namespace evostream::report
