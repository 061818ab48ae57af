#include "app/scaling_bench_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "actors/actor_run.hpp"
#include "app/task_count_bench.hpp"
#include "config/scenario_parser.hpp"
#include "model/core/median.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/run/stream_runner.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/root_trainer.hpp"
#include "report/svg_charts.hpp"
#include "storage/results_writer.hpp"
#include "storage/root_source.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

using Clock = std::chrono::steady_clock;
using Point = ScalingBenchCommand::Point;
using model::median;

double rate(const Point& p) {
  return p.seconds > 0 ? static_cast<double>(p.candidates) / p.seconds : 0.0;
}

double busy(const Point& p) {
  return p.seconds > 0 ? p.work_seconds / (static_cast<double>(p.trainers) * p.seconds) : 0.0;
}

}  // namespace

std::string ScalingBenchCommand::csv(const std::vector<Point>& points) {
  std::string out =
      "trainers,concurrent,seconds,candidates,candidates_per_second,speedup,work_seconds,"
      "trainer_busy\n";
  for (const auto& p : points) {
    out += fmt::format("{},{},{:.3f},{},{:.3f},{:.3f},{:.3f},{:.3f}\n", p.trainers, p.concurrent,
                       p.seconds, p.candidates, rate(p),
                       rate(points.front()) > 0 ? rate(p) / rate(points.front()) : 0.0,
                       p.work_seconds, busy(p));
  }
  return out;
}

std::string ScalingBenchCommand::svg(const std::vector<Point>& points, bool by_trainers) {
  std::vector<std::string> xs;
  report::SvgCharts::Series measured{"measured", "#1f77b4", {}};
  report::SvgCharts::Series ideal{"linear from the first point", "#9e9e9e", {}};
  for (const auto& p : points) {
    const int64_t x = by_trainers ? p.trainers : p.concurrent;
    const int64_t x0 = by_trainers ? points.front().trainers : points.front().concurrent;
    xs.push_back(std::to_string(x));
    measured.values.push_back(rate(p));
    ideal.values.push_back(by_trainers ? rate(points.front()) * static_cast<double>(x) /
                                             static_cast<double>(x0)
                                       : std::optional<double>());
  }
  std::vector<report::SvgCharts::Series> series{measured};
  if (by_trainers)
    series.push_back(ideal);
  return report::SvgCharts::file(
      report::SvgCharts::lines(by_trainers ? "scaling-trainers" : "scaling-concurrent", xs, series,
                               by_trainers ? "candidates per second, by trainers"
                                           : "candidates per second, by tasks at once",
                               [](double v) { return fmt::format("{:.2f}", v); }));
}

int ScalingBenchCommand::run(std::ostream& out) const {
  config::Scenario s = config::ScenarioParser::parse_file(options_.scenario);
  std::vector<int64_t> trainer_counts = options_.trainers;
  if (trainer_counts.empty()) {
    const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
    for (int64_t n = 1; n <= cores; ++n)
      trainer_counts.push_back(n);
  }
  const int64_t most = *std::max_element(trainer_counts.begin(), trainer_counts.end());

  streams::TaskBuilder builder(s);
  const auto tasks = std::make_shared<const std::vector<streams::TaskData>>(builder.build_all());
  out << fmt::format(
      "bench scaling: {} ({} tasks{}), root made once; {} repetition(s) per point, medians\n",
      s.name, tasks->size(),
      s.simulated() ? ", SIMULATED: seconds are virtual, candidates per virtual second" : "",
      options_.repetitions);
  out.flush();
  const auto root =
      s.root.source == config::RootSpec::Source::kTrain
          ? model::RootTrainer(s.root).train(builder.build(*s.root.pretrain), s.seed)
      : s.root.source == config::RootSpec::Source::kInit
          ? model::VitFactory::root(s.root.architecture, s.simulation.classes, "root", s.seed)
          : storage::RootSource::import_any(s.root.file, s.root.architecture);

  // One timed run of the stream (root excluded).
  auto measure = [&](int64_t trainers, int64_t concurrent) {
    config::Scenario sc = s;
    sc.run.concurrent_tasks = concurrent;
    const model::StrategyEnvironment env = model::StrategyEnvironment::of(sc);
    auto strategy = model::make_strategy(env);
    model::StreamRunner runner(sc, *strategy, root);
    actors::ActorRunOptions o;
    o.trainers = trainers;
    o.trainer = env.trainer;
    o.fast = true;
    const auto t0 = Clock::now();
    const model::RunResults r = actors::ActorRun(o).run(runner, tasks);
    Point p;
    p.trainers = trainers;
    p.concurrent = concurrent;
    p.seconds = s.simulated() ? r.virtual_seconds
                              : std::chrono::duration<double>(Clock::now() - t0).count();
    for (const auto& t : r.tasks) {
      p.candidates += t.candidates;
      p.work_seconds += t.train_seconds;
    }
    p.state_hash = model::run_state_hash(runner.state().store, runner.progress());
    out << fmt::format(
        "  {} trainer(s), {} task(s) at once: {:.2f} s, {} candidates, {:.2f} s of training\n",
        trainers, concurrent, p.seconds, p.candidates, p.work_seconds);
    out.flush();
    return p;
  };
  auto axis = [&](const std::vector<std::pair<int64_t, int64_t>>& configs) {
    std::vector<std::vector<double>> seconds(configs.size());
    std::vector<std::vector<double>> work(configs.size());
    std::vector<Point> points(configs.size());
    for (int64_t rep = 0; rep < options_.repetitions; ++rep) {
      for (size_t i = 0; i < configs.size(); ++i) {
        points[i] = measure(configs[i].first, configs[i].second);
        seconds[i].push_back(points[i].seconds);
        work[i].push_back(points[i].work_seconds);
      }
    }
    for (size_t i = 0; i < configs.size(); ++i) {
      points[i].seconds = median(seconds[i]);
      points[i].work_seconds = median(work[i]);
    }
    return points;
  };

  std::filesystem::create_directories(options_.out);
  std::vector<std::pair<int64_t, int64_t>> by_trainers;
  for (int64_t n : trainer_counts)
    by_trainers.emplace_back(n, 1);
  out << "trainers axis:\n";
  const std::vector<Point> trainers = axis(by_trainers);
  std::vector<std::pair<int64_t, int64_t>> by_concurrency;
  for (int64_t k : options_.concurrent)
    by_concurrency.emplace_back(most, k);
  out << "concurrency axis:\n";
  const std::vector<Point> concurrent = axis(by_concurrency);

  storage::ResultsWriter::write_text(options_.out + "/scaling-trainers.csv", csv(trainers));
  storage::ResultsWriter::write_text(options_.out + "/scaling-trainers.svg", svg(trainers, true));
  storage::ResultsWriter::write_text(options_.out + "/scaling-concurrent.csv", csv(concurrent));
  storage::ResultsWriter::write_text(options_.out + "/scaling-concurrent.svg",
                                     svg(concurrent, false));

  if (!options_.tasks.empty()) {
    out << fmt::format("tasks axis ({}, child runs killed in their last snapshot and resumed):\n",
                       options_.tasks_scenario);
    const std::string program = std::filesystem::read_symlink("/proc/self/exe").string();
    const auto points =
        TaskCountBench(options_.tasks_scenario, program, options_.out).run(options_.tasks, out);
    storage::ResultsWriter::write_text(options_.out + "/scaling-tasks.csv",
                                       TaskCountBench::csv(points));
    storage::ResultsWriter::write_text(options_.out + "/scaling-tasks.svg",
                                       TaskCountBench::svg(points));
  }

  out << fmt::format("\n{:>9} {:>9} {:>10} {:>11} {:>14} {:>9} {:>9} {:>6}{}\n", "trainers",
                     "at once", "seconds", "candidates", "candidates/s", "speed-up", "training",
                     "busy", s.simulated() ? "  (simulated: virtual seconds)" : "");
  bool same = true;
  for (const auto* axis_points : {&trainers, &concurrent}) {
    for (const auto& p : *axis_points) {
      out << fmt::format("{:>9} {:>9} {:>10.2f} {:>11} {:>14.2f} {:>8.2f}× {:>8.2f}s {:>5.0f}%\n",
                         p.trainers, p.concurrent, p.seconds, p.candidates, rate(p),
                         rate(p) / rate(axis_points->front()), p.work_seconds, 100.0 * busy(p));
    }
    out << "\n";
  }
  for (const auto& p : trainers)
    same = same && p.state_hash == trainers.front().state_hash;
  out << fmt::format("state hash with every trainer count: {}\n",
                     same ? trainers.front().state_hash + " (the same)" : "DIFFERENT");
  out << fmt::format(
      "written: {0}/scaling-trainers.csv, {0}/scaling-trainers.svg, "
      "{0}/scaling-concurrent.csv, {0}/scaling-concurrent.svg{1}\n",
      options_.out,
      options_.tasks.empty()
          ? std::string()
          : fmt::format(", {0}/scaling-tasks.csv, {0}/scaling-tasks.svg", options_.out));
  return same ? 0 : 1;
}

}  // namespace evostream::app
