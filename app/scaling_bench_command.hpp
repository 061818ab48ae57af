#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace evostream::app {

/// Options of `evostream bench scaling`.
struct ScalingOptions {
  /// The stream to learn. Default: `configs/bench-scaling.toml`.
  std::string scenario = "configs/bench-scaling.toml";
  /// Where the CSV files and SVG plots go. Default: `runs/bench-scaling`.
  std::string out = "runs/bench-scaling";
  /// Trainer counts of the trainers axis. Default: 1 up to the machine's cores.
  std::vector<int64_t> trainers;
  /// Tasks evolving at once on the concurrency axis (with the most trainers). Default: 1, 2, 4, 8.
  std::vector<int64_t> concurrent = {1, 2, 4, 8};
  /// Runs per point; the median is reported. Default: 3.
  int64_t repetitions = 3;
  /// Stream lengths of the tasks axis (`TaskCountBench`); empty: no tasks axis. Default: 10,
  /// 100, 1000, 10000.
  std::vector<int64_t> tasks = {10, 100, 1000, 10000};
  /// The scenario of the tasks axis: simulated (its `[simulation] tasks` set per length) or
  /// real (its tasks cycled). Default: `configs/simulated.toml`.
  std::string tasks_scenario = "configs/simulated.toml";
};

/// `evostream bench scaling`: real training through the actor system, timed per point.
///
/// - trainers axis: the same stream with 1..N local trainers (one torch thread each): candidates
///   per second and speed-up over one trainer; every point must reach the same state hash.
/// - concurrency axis: `concurrent_tasks` = K with the most trainers: candidates per second.
/// - tasks axis: streams of N tasks, each run and resumed by a child process.
///
/// Repetitions are interleaved across points (1, 2, 1, 2, ...) so drift on a shared machine
/// spreads evenly; medians are reported. Writes `scaling-trainers.csv/.svg`,
/// `scaling-concurrent.csv/.svg` and, for the tasks axis (`TaskCountBench`, one run per
/// length), `scaling-tasks.csv/.svg` into the output directory.
class ScalingBenchCommand {
 public:
  explicit ScalingBenchCommand(ScalingOptions options) : options_(std::move(options)) {}
  /// Runs the benchmark, printing progress and the tables to `out`; returns the exit status
  /// (1 when points of the trainers axis end in different states).
  int run(std::ostream& out) const;

  /// One measured point.
  struct Point {
    int64_t trainers = 1;
    int64_t concurrent = 1;
    /// Wall seconds of the stream (root excluded), median over repetitions.
    double seconds = 0.0;
    int64_t candidates = 0;
    std::string state_hash;
    /// Seconds the trainers spent on candidates, summed over the stream (virtual when
    /// simulated), median over repetitions. Tasks evolving at once change which paths the evolution
    /// finds, so points of the concurrency axis can differ in this work as well as in how fast it
    /// is done.
    double work_seconds = 0.0;
  };
  /// The CSV of an axis: `trainers,concurrent,seconds,candidates,candidates_per_second,speedup,
  /// work_seconds,trainer_busy` (speed-up over the first point; busy: work seconds over
  /// trainers × seconds).
  static std::string csv(const std::vector<Point>& points);
  /// The SVG plot of an axis: candidates per second over `x` (trainers or tasks at once), with
  /// the linear ideal from the first point.
  static std::string svg(const std::vector<Point>& points, bool by_trainers);

 private:
  ScalingOptions options_;
};

}  // namespace evostream::app
