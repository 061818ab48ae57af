#include "app/run_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "model/root_trainer.hpp"
#include "model/stream_runner.hpp"
#include "storage/results_writer.hpp"
#include "storage/root_source.hpp"
#include "streams/scenario_parser.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string percent(const std::optional<double>& v) {
  return v ? fmt::format("{:.2f}", 100.0 * *v) : "-";
}

}  // namespace

int RunCommand::run(std::ostream& out) const {
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  streams::Scenario s = streams::ScenarioParser::parse_file(options_.scenario);
  if (!options_.strategy.empty())
    s.strategy.name = options_.strategy;
  if (options_.seed)
    s.seed = *options_.seed;

  model::StrategyEnvironment env;
  env.architecture = s.root.architecture;
  env.spec = s.strategy;
  env.train.steps = s.strategy.steps;
  env.train.batch_size = s.strategy.batch_size;
  env.train.validation_interval = s.strategy.validation_interval;
  env.train.heads = s.root.architecture.heads;
  env.train.threads = s.trainers.threads;
  env.train.device = s.trainers.device;
  env.cache = std::make_shared<model::PrefixCache>();
  const auto strategy = model::make_strategy(s.strategy.name, env);

  const std::string dir =
      !options_.out.empty()
          ? options_.out
          : "runs/" + s.name + (options_.strategy.empty() ? "" : "-" + options_.strategy);
  fs::create_directories(dir);
  fs::copy_file(options_.scenario, dir + "/scenario.toml", fs::copy_options::overwrite_existing);
  out << fmt::format("run {} with strategy {} (seed {}) into {}\n", s.name, strategy->name(),
                     s.seed, dir);

  streams::TaskBuilder builder(s);
  std::vector<model::Component> root;
  const std::string root_file = !options_.root.empty() ? options_.root
                                : s.root.source == streams::RootSpec::Source::kImport ? s.root.file
                                                                                      : "";
  if (!root_file.empty()) {
    root = storage::RootSource::import(root_file, s.root.architecture);
    out << fmt::format("root imported from {}\n", root_file);
  } else {
    const streams::TaskData pretrain = builder.build(*s.root.pretrain);
    out << fmt::format("training root {} on {} ({} steps at batch {})\n", s.root.architecture.name,
                       pretrain.name(), s.root.steps, s.root.batch_size);
    out.flush();
    root = model::RootTrainer(s.root, s.trainers.threads, s.trainers.device)
               .train(pretrain, s.seed, [&](int64_t step, int64_t total, double acc) {
                 out << fmt::format("  root step {:>6}/{}  validation {:.2f}%  {:.0f} s\n", step,
                                    total, 100.0 * acc, elapsed());
                 out.flush();
               });
    storage::RootSource::export_root(dir + "/root.h5", s.root.architecture, root);
    out << fmt::format("root written to {}/root.h5 (reuse it with --root)\n", dir);
  }

  const std::vector<streams::TaskData> tasks = builder.build_all();
  model::RunObserver observer;
  observer.task_started = [&](int64_t index, int64_t iteration, const streams::TaskData& t) {
    out << fmt::format("task {}/{} {} ({} classes, {} train, {} validation, {} test)", index + 1,
                       tasks.size(), t.name(), t.num_classes, t.train.size(), t.validation.size(),
                       t.test.size());
    if (s.strategy.iterations > 1)
      out << fmt::format(", iteration {}/{}", iteration + 1, s.strategy.iterations);
    out << "\n";
    out.flush();
  };
  observer.candidate_done = [&](const std::string&, const model::CandidateRecord& r) {
    out << fmt::format(
        "  {:<28} {:<24} quality {:6.2f}%  score {:.4f}  {:>8} trained  {}  {:.1f} s\n", r.name,
        r.parent.empty() ? "" : "<- " + r.parent, 100.0 * r.quality, r.score, r.trained_params,
        r.kept ? "kept" : "dropped", r.seconds);
    out.flush();
  };
  observer.task_committed = [&](const std::string& name,
                                const std::vector<std::optional<double>>& row, double average) {
    std::string accs;
    for (const auto& v : row) {
      if (v)
        accs += " " + percent(v);
    }
    out << fmt::format("  committed {}: test accuracies{}; average {:.2f}%  [{:.0f} s]\n", name,
                       accs, 100.0 * average, elapsed());
    out.flush();
  };
  model::StreamRunner runner(s, *strategy, std::move(root), observer);
  const model::RunResults results = runner.run(tasks);
  storage::ResultsWriter::write(dir + "/results.json", results);

  out << fmt::format("\n{:<22} {:>8} {:>9} {:>12} {:>10} {:>9}\n", "task", "test %", "forget",
                     "accounted", "added", "train s");
  for (const auto& t : results.tasks) {
    out << fmt::format("{:<22} {:>8.2f} {:>9} {:>12.0f} {:>10} {:>9.1f}\n", t.name,
                       100.0 * t.test_accuracy, percent(t.forgetting), t.accounted_params,
                       t.params_added, t.train_seconds);
  }
  out << fmt::format(
      "\n{}: average accuracy {:.2f}%, BWT {:+.2f} points, forgetting {:.2f} (max-based {:.2f}), "
      "{:.0f} params per task, {} total; {:.0f} s ({:.0f} s training, {:.0f} s evaluating)\n",
      results.strategy, 100.0 * results.average_accuracy, 100.0 * results.bwt,
      100.0 * results.forgetting, 100.0 * results.max_forgetting, results.params_per_task,
      results.total_params, elapsed(), results.train_seconds, results.evaluation_seconds);
  out << fmt::format("results written to {}/results.json\n", dir);
  return 0;
}

}  // namespace evostream::app
