#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace evostream::app {

/// The number-of-tasks axis of `evostream bench scaling`: streams of N tasks, each learned by a
/// child `evostream run`, then killed in its last snapshot and resumed. The tasks are generated
/// by a simulated scenario (`[simulation] tasks = N`, e.g. `configs/simulated.toml`), or a real
/// scenario's `[[tasks]]` cycled and renamed (e.g. `configs/synthetic-100.toml`, real training
/// of a micro ViT).
///
/// Per N it reports what grows with the tasks: orchestration and evaluation seconds per task,
/// snapshot bytes and milliseconds per task, the child's peak resident memory, the store's
/// parameters and the resume time.
class TaskCountBench {
 public:
  /// One stream length measured.
  struct Point {
    int64_t tasks = 0;
    double stream_seconds = 0.0;
    double train_seconds = 0.0;
    double evaluation_seconds = 0.0;
    double orchestration_seconds = 0.0;
    double snapshot_seconds = 0.0;
    int64_t snapshot_bytes = 0;
    double max_rss_mb = 0.0;
    int64_t store_params = 0;
    double resume_seconds = 0.0;
    /// Whether the stream was simulated (training seconds virtual).
    bool simulated = false;
    /// Wall milliseconds per task over the last tenth of the stream, commit to commit.
    double end_ms_per_task = 0.0;
    /// Peak resident memory of the run before its results and report were built.
    double streaming_rss_mb = 0.0;
    /// Median wall milliseconds per task at tasks 100 to 199 of the same run (0 below 400
    /// tasks): with `end_ms_per_task`, how the pace changes within one run.
    double at_100_ms_per_task = 0.0;
  };

  /// What a run's events tell of its pace.
  struct Pace {
    /// Median wall milliseconds between commits over the last tenth of the stream (at least 5
    /// tasks; the last visit, which evaluates every task again, is left out).
    double end_ms = 0.0;
    /// The same over tasks 100 to 199; 0 for streams of fewer than 400 tasks.
    double at_100_ms = 0.0;
    /// `streaming_peak_rss_mb` of the `run_finished` event.
    double streaming_rss_mb = 0.0;
  };
  /// The pace of the run whose `events.jsonl` is `events`.
  static Pace pace(std::istream& events);

  /// `base`: the scenario whose header (datasets, root, strategy) and tasks are used;
  /// `program`: the evostream executable; `out`: where the runs go.
  TaskCountBench(std::string base, std::string program, std::string out)
      : base_(std::move(base)), program_(std::move(program)), out_(std::move(out)) {}

  /// Measures each stream length in `tasks`, printing a line per point.
  std::vector<Point> run(const std::vector<int64_t>& tasks, std::ostream& out) const;

  /// The text of a scenario with `n` tasks: a simulated `base` with `[simulation] tasks = n`;
  /// otherwise `base`'s text up to its first `[[tasks]]`, then its tasks cycled to `n`, named
  /// `task-00000`, `task-00001`, ... Raises `std::invalid_argument` when `base` has neither.
  static std::string scenario_text(const std::string& base, int64_t n);
  /// The CSV of the axis (one row per point, seconds and bytes per task).
  static std::string csv(const std::vector<Point>& points);
  /// The SVG plot: orchestration and evaluation milliseconds per task over the stream length.
  static std::string svg(const std::vector<Point>& points);

 private:
  std::string base_;
  std::string program_;
  std::string out_;
};

}  // namespace evostream::app
