#include "app/run_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "actors/tls_credentials.hpp"
#include "app/run_session.hpp"
#include "config/scenario_parser.hpp"
#include "config/thread_budget.hpp"
#include "model/nn/model_family.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/device_check.hpp"
#include "model/train/root_trainer.hpp"
#include "storage/results_writer.hpp"
#include "storage/root_source.hpp"
#include "storage/run_lock.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

namespace fs = std::filesystem;

}  // namespace

std::string default_run_dir(const std::string& name, const std::string& strategy) {
  return "runs/" + name + (strategy.empty() ? "" : "-" + strategy);
}

int RunCommand::run(RunEvents& events) const {
  std::vector<std::string> sets = options_.sets;
  config::Scenario s = config::ScenarioParser::parse_file(options_.scenario, sets);
  const std::string& family = s.root.architecture.family;
  if (!options_.root.empty() && s.root.source == config::RootSpec::Source::kInit &&
      family != "masked-fc" && family != "masked-vit") {
    // An imported root is a trained one: the run keeps it so (µ2Net clones a root that was never
    // trained), and a resumed run reads the same. A masked family's backbone is random by
    // definition and stays `init`.
    sets.push_back("root.source=\"import\"");
    sets.push_back("root.file=" + RunEvents::Json(fs::absolute(options_.root).string()).dump());
    s = config::ScenarioParser::parse_file(options_.scenario, sets);
  }
  // What the run keeps as its scenario and offers its workers: the file, overrides applied.
  const std::string scenario_text = config::ScenarioParser::text_with_sets(options_.scenario, sets);
  if (!options_.strategy.empty())
    s.strategy.name = options_.strategy;
  if (options_.seed)
    s.seed = *options_.seed;
  if (options_.trainers >= 0)
    s.trainers.count = options_.trainers;
  // Before the run directory is touched: the strategy and its own table must be valid, and the
  // trainers must fit the machine.
  model::read_strategy_options(s);
  model::check_device(s.trainers.device, options_.scenario + ": trainers.device");
  const std::string crowded =
      config::check_thread_budget(s.trainers, config::available_cores(), options_.scenario);
  std::optional<actors::TlsCredentials> given;
  if (options_.listen && !options_.insecure && !options_.credentials.empty())
    given = actors::TlsCredentials::open(options_.credentials);

  const std::string dir =
      !options_.out.empty() ? options_.out : default_run_dir(s.name, options_.strategy);
  const storage::RunDirectory run_dir(dir);
  if (run_dir.is_run() && !options_.force) {
    throw std::invalid_argument(fmt::format(
        "{} already holds a run; continue it with `evostream resume {}`, or pass --force to "
        "replace it",
        dir, dir));
  }
  run_dir.check_replaceable("--out");
  fs::create_directories(dir);
  // Held until the run ends: no other process writes this directory meanwhile.
  const storage::RunLock lock(dir);
  fs::remove_all(dir + "/snapshots");
  fs::remove(dir + "/results.json");
  storage::ResultsWriter::write_text(dir + "/scenario.toml", scenario_text);
  fs::remove(dir + "/accuracy_matrix.csv");
  events.open(dir + "/events.jsonl", false);
  events.message(fmt::format("run {} with strategy {} (seed {}) into {}", s.name, s.strategy.name,
                             s.seed, dir));
  if (!crowded.empty())
    events.message("warning: " + crowded);
  RunNetwork network;
  if (options_.listen && options_.insecure) {
    events.message(fmt::format(
        "warning: --insecure: workers connect over plain TCP on {}, without authentication or "
        "encryption; anyone who reaches the port can join the run",
        options_.bind));
  } else if (options_.listen) {
    network.credentials =
        given ? *given : actors::TlsCredentials::create(dir + "/tls.pem", "evostream " + s.name);
  }

  streams::TaskBuilder builder(s);
  std::vector<model::Component> root;
  const bool imported = s.root.source == config::RootSpec::Source::kImport ||
                        s.root.source == config::RootSpec::Source::kTorch;
  const std::string root_file = !options_.root.empty() ? options_.root
                                : imported             ? s.root.file
                                                       : "";
  if (!root_file.empty()) {
    root = storage::RootSource::import_any(root_file, s.root.architecture);
    events.message(fmt::format("root imported from {}", root_file));
    if (s.root.source == config::RootSpec::Source::kTorch)
      storage::RootSource::export_root(dir + "/root.h5", s.root.architecture, root);
  } else if (s.root.source == config::RootSpec::Source::kInit) {
    root = model::ModelFamily::of(s.root.architecture)
               ->root(s.root.architecture, s.simulation.classes, s.seed);
    events.message(fmt::format("root {} initialised from seed {} (untrained)",
                               s.root.architecture.name, s.seed));
    storage::RootSource::export_root(dir + "/root.h5", s.root.architecture, root);
  } else {
    const streams::TaskData pretrain = builder.build(*s.root.pretrain);
    events.message(fmt::format("training root {} on {} ({} steps at batch {})",
                               s.root.architecture.name, pretrain.name(), s.root.steps,
                               s.root.batch_size));
    model::TrainResult trained;
    root = model::RootTrainer(s.root, s.trainers.threads, s.trainers.device)
               .train(
                   pretrain, s.seed,
                   [&](int64_t step, int64_t total, double acc) {
                     events.emit(RunEvents::Json{{"event", "root_step"},
                                                 {"step", step},
                                                 {"steps", total},
                                                 {"validation_accuracy", acc}});
                   },
                   &trained);
    events.emit(
        RunEvents::Json{{"event", "root_trained"},
                        {"quality", trained.quality},
                        {"seconds", trained.seconds},
                        {"curve", RunEvents::curve({trained.validations, trained.losses})}});
    storage::RootSource::export_root(dir + "/root.h5", s.root.architecture, root);
    events.message(fmt::format("root written to {}/root.h5 (reuse it with --root)", dir));
  }

  network.listen = options_.listen;
  network.bind = options_.bind;
  network.wait_workers = options_.wait_workers;
  network.worker_timeout = std::chrono::seconds(options_.worker_timeout);
  network.max_message = static_cast<uint64_t>(options_.max_message_mib) << 20;
  network.fast = options_.fast;
  network.scenario_text = scenario_text;
  RunSession session(s, storage::RunDirectory(dir), network, options_.faults);
  session.serve(options_.bell);
  return session.start(std::move(root), events);
}

}  // namespace evostream::app
