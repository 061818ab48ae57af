// The evostream command-line program: a thin layer over the libraries.

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "actors/worker.hpp"
#include "app/compare_command.hpp"
#include "app/export_command.hpp"
#include "app/extract_command.hpp"
#include "app/gateway_load_bench.hpp"
#include "app/inspect_command.hpp"
#include "app/predict_command.hpp"
#include "app/progress_view.hpp"
#include "app/replay_command.hpp"
#include "app/report_command.hpp"
#include "app/resume_command.hpp"
#include "app/root_bench_command.hpp"
#include "app/run_command.hpp"
#include "app/scaling_bench_command.hpp"
#include "app/seed_sweep.hpp"
#include "app/serve_command.hpp"
#include "app/tasks_command.hpp"
#include "common/config_error.hpp"
#include "common/data_error.hpp"
#include "config/scenario_parser.hpp"
#include "config/thread_budget.hpp"
#include "model/core/blas_check.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/device_check.hpp"
#include "model/train/memory_reuse.hpp"
#include "model/train/trainer_benchmark.hpp"

namespace {

using evostream::model::BlasCheck;

// Warns on stderr when LibTorch runs on a slow BLAS; silent otherwise.
void check_blas() {
  const auto report = BlasCheck::run();
  if (!report.optimised)
    std::cerr << report.warning() << "\n";
}

// The progress display for stdout: live lines on a terminal, plain lines otherwise.
evostream::app::ProgressView progress_view(bool quiet, bool json, const std::string& invoked,
                                           bool verbose) {
  const bool terminal = isatty(STDOUT_FILENO) != 0;
  int columns = 100;
  winsize size{};
  if (terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    columns = size.ws_col;
  return evostream::app::ProgressView(evostream::app::ProgressView::choose(quiet, json, terminal),
                                      std::cout, columns, invoked, verbose);
}

// The command as the user typed it: "evostream" from PATH, or the path they ran
// ("./build/evostream"), so that printed commands can be pasted back.
std::string invoked_as(const char* argv0) {
  const std::string name = argv0 != nullptr ? argv0 : "evostream";
  return name.find('/') == std::string::npos ? "evostream" : name;
}

// `text` with the commands it quotes ("`evostream resume DIR`") as the user invoked the program.
std::string as_invoked(std::string text, const std::string& invoked) {
  if (invoked == "evostream")
    return text;
  for (size_t at = 0; (at = text.find("`evostream ", at)) != std::string::npos;) {
    text.replace(at + 1, 9, invoked);
    at += invoked.size() + 1;
  }
  return text;
}

// Levenshtein distance, for "did you mean".
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The first word of the command line when it is no subcommand of `app` (nor an option): an
// error naming the closest subcommand, or "" when the word is fine.
std::string unknown_command(const CLI::App& app, const std::string& word) {
  if (word.empty() || word[0] == '-' || word == "help")
    return "";
  std::string best;
  size_t best_distance = 3;  // suggest only near misses
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == word)
      return "";
    const size_t d = edit_distance(word, sub->get_name());
    if (d < best_distance) {
      best_distance = d;
      best = sub->get_name();
    }
  }
  return fmt::format("unknown command '{}'{}", word,
                     best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best));
}

// Refuses a negative number for an unsigned option: CLI11 would wrap "-1" to 2^64 - 1.
const CLI::Validator kNotNegative(
    [](std::string& value) {
      return !value.empty() && value[0] == '-' ? "expected a number >= 0, found " + value
                                               : std::string();
    },
    "NONNEGATIVE");

// A shipped scenario, `configs/NAME`, for a default: where the working directory has it (a
// checkout), else beside the program (`build/evostream` in a checkout), else where `make
// install` put it (PREFIX/share/evostream/configs). The first, when none has it, so that the
// error names the usual place.
std::string shipped_config(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path relative = fs::path("configs") / name;
  std::error_code ec;
  const fs::path program = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates{relative};
  if (!ec) {
    candidates.push_back(program.parent_path().parent_path() / relative);
    candidates.push_back(program.parent_path().parent_path() / "share" / "evostream" / relative);
  }
  for (const auto& c : candidates) {
    if (fs::exists(c, ec))
      return c.string();
  }
  return relative.string();
}

}  // namespace

int main(int argc, char** argv) {
  // A write beyond the file size limit (ulimit -f) then fails with EFBIG and is reported like
  // a full disk, instead of the signal killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  evostream::model::reuse_freed_memory();
  CLI::App app{
      "evostream: grows one multitask model from a continual stream of tasks "
      "(µ2Net-style evolution of paths through a shared pool of layers).",
      "evostream"};
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", "evostream 0.1.0");
  const std::string invoked = invoked_as(argc > 0 ? argv[0] : nullptr);

  std::string scenario;
  std::string run_dir;
  std::string out_dir;
  std::string strategy;
  uint64_t seed = 0;
  bool hash = false;
  std::string bench_trainable = "all";
  bool bench_json = false;
  evostream::model::TrainerBenchOptions trainer_bench;

  auto* run = app.add_subcommand("run", "Run a task-stream scenario into a run directory.");
  run->add_option("scenario", scenario, "Scenario file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--out", out_dir, "Run directory (default: runs/<scenario name>)");
  std::vector<std::string> strategy_names;
  std::string strategy_help = "Override the scenario's strategy:";
  for (const auto& e : evostream::model::StrategyRegistry::builtin().entries()) {
    strategy_names.push_back(e.name);
    strategy_help += "\n  " + e.name + ": " + e.summary;
  }
  run->add_option("--strategy", strategy, strategy_help)->check(CLI::IsMember(strategy_names));
  auto* seed_option =
      run->add_option("--seed", seed, "Override the scenario's seed")->check(kNotNegative);
  std::vector<uint64_t> seeds;
  run->add_option("--seeds", seeds,
                  "Run once per seed into OUT/seed-N, then compare them with mean ± std "
                  "(e.g. --seeds 1,2,3)")
      ->delimiter(',')
      ->check(kNotNegative)
      ->excludes(seed_option);
  uint16_t serve_port = 0;
  auto* serve_flag =
      run->add_option("--serve", serve_port,
                      "Serve the run over HTTP on this loopback port (0: a free one) as "
                      "`evostream serve` does, and stay up after its tasks, taking new ones")
          ->excludes("--seeds");
  std::string root_file;
  bool force = false;
  int64_t trainers = -1;
  run->add_option("--trainers", trainers,
                  "Override the scenario's number of local trainers (0 with --wait-workers)")
      ->check(CLI::Range(int64_t{0}, int64_t{64}));
  uint16_t listen_port = 0;
  auto* listen = run->add_option("--listen", listen_port,
                                 "Accept remote trainers (evostream worker) on this port (0: any)");
  std::string bind = "127.0.0.1";
  run->add_option("--bind", bind, "Address to listen on (default: 127.0.0.1, loopback only)");
  std::string run_credentials;
  run->add_option("--credentials", run_credentials,
                  "Workers authenticate with this key and certificate file (default: a fresh "
                  "DIR/tls.pem)")
      ->check(CLI::ExistingFile);
  bool run_insecure = false;
  run->add_flag("--insecure", run_insecure,
                "Listen on plain TCP: no authentication, no encryption (default: mutual TLS)");
  bool fast = false;
  run->add_flag("--fast", fast, "Ignore the tasks' arrival delays (run as fast as possible)");
  int64_t wait_workers = 0;
  run->add_option("--wait-workers", wait_workers,
                  "Wait for this many remote trainers before the first task")
      ->check(CLI::Range(int64_t{0}, int64_t{1024}));
  int64_t worker_timeout = 120;
  run->add_option("--worker-timeout", worker_timeout,
                  "Seconds to wait for those workers, and for a new one when the last trainer "
                  "went away (default: 120)")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));
  int64_t run_max_message = 1024;
  run->add_option("--max-message", run_max_message,
                  "Largest message taken from a worker, in MiB; a bigger one closes its "
                  "connection (default: 1024)")
      ->check(CLI::Range(int64_t{1}, int64_t{4095}));

  auto* worker = app.add_subcommand("worker", "Join a run as a remote trainer and train its jobs.");
  std::string connect;
  worker->add_option("--connect", connect, "HOST:PORT of `evostream run --listen PORT`")
      ->required();
  std::string device = "cpu";
  worker->add_option("--device", device, "cpu or cuda:K (default: cpu)");
  std::string worker_credentials;
  worker
      ->add_option("--credentials", worker_credentials,
                   "The run's key and certificate (its DIR/tls.pem, copied here)")
      ->check(CLI::ExistingFile);
  bool worker_insecure = false;
  worker
      ->add_flag("--insecure", worker_insecure,
                 "Connect over plain TCP to a run started with --insecure")
      ->excludes("--credentials");
  int64_t worker_threads = 1;
  worker
      ->add_option("--threads", worker_threads,
                   "Torch threads, at most this machine's cores (default: 1)")
      ->check(CLI::Range(int64_t{1}, evostream::config::available_cores()));
  int64_t worker_max_message = 1024;
  worker
      ->add_option("--max-message", worker_max_message,
                   "Largest message taken from the run, in MiB; a bigger one closes the "
                   "connection (default: 1024)")
      ->check(CLI::Range(int64_t{1}, int64_t{4095}));
  run->add_flag("--force", force, "Replace a run already in the run directory");
  run->add_option("--root", root_file,
                  "Import the root from this HDF5 file (e.g. an earlier run's root.h5)")
      ->check(CLI::ExistingFile);

  auto* resume = app.add_subcommand("resume", "Continue a run from its latest complete snapshot.");
  resume->add_option("run_dir", run_dir, "Run directory")->required();
  std::string more_tasks;
  resume
      ->add_option("--tasks", more_tasks,
                   "First grow the stream by this file's [[tasks]] (and [datasets.NAME])")
      ->check(CLI::ExistingFile);

  evostream::app::ServeOptions serve_options;
  auto* serve = app.add_subcommand(
      "serve", "Learn a run's stream and stay up, taking new tasks and predicting over HTTP.");
  serve->add_option("target", serve_options.target, "Run directory, or a scenario to start from")
      ->required()
      ->check(CLI::ExistingPath);
  serve->add_option("--port", serve_options.port, "TCP port (0: a free one) (default: 8787)");
  serve->add_option("--bind", serve_options.bind,
                    "Address to listen on (default: 127.0.0.1, loopback only)");
  serve->add_option("--out", serve_options.run.out,
                    "For a scenario: the run directory (default: runs/<scenario name>)");
  serve->add_option("--strategy", serve_options.run.strategy, "For a scenario: its strategy")
      ->check(CLI::IsMember(strategy_names));
  serve
      ->add_option("--root", serve_options.run.root,
                   "For a scenario: import the root from this HDF5 file")
      ->check(CLI::ExistingFile);
  serve->add_flag("--force", serve_options.run.force,
                  "For a scenario: replace a run already in the run directory");
  serve->add_flag("--fast", serve_options.run.fast, "Ignore the tasks' arrival delays");

  auto* inspect =
      app.add_subcommand("inspect", "Print a run's tasks, paths, parameters, accuracies.");
  inspect->add_option("run_dir", run_dir, "Run directory")->required();
  inspect->add_flag("--hash", hash, "Print the state hash");

  evostream::app::PredictOptions predict_options;
  auto* predict = app.add_subcommand(
      "predict",
      "Classify images with a task's committed path (CSV: file,index,label,class,"
      "probability).");
  predict->add_option("run_dir", predict_options.run_dir, "Run directory")->required();
  predict->add_option("--task", predict_options.task, "The task whose path classifies")->required();
  predict
      ->add_option("images", predict_options.inputs,
                   "IDX image files, .npy arrays, or PNG/JPEG files")
      ->required()
      ->check(CLI::ExistingFile);
  predict->add_option("--out", predict_options.out, "Write the CSV to this file (default: stdout)");
  predict->add_option("--batch", predict_options.batch, "Images per forward pass (default: 256)")
      ->check(CLI::Range(int64_t{1}, int64_t{65536}));
  predict->add_flag("--logits", predict_options.logits,
                    "Add the path's logits, a column per class");

  evostream::app::ExportOptions export_options;
  auto* export_cmd = app.add_subcommand(
      "export",
      "Write a task's path as a PyTorch state dict (.pt, timm names) or a component "
      "file (.h5).");
  export_cmd->add_option("run_dir", export_options.run_dir, "Run directory")->required();
  export_cmd->add_option("--task", export_options.task, "The task (or root)")->required();
  export_cmd->add_option("--out", export_options.out, "The file to write: NAME.pt or NAME.h5")
      ->required();

  evostream::app::ExtractOptions extract_options;
  auto* extract = app.add_subcommand(
      "extract", "Write a Mod-Squad task's standalone model: the experts its routers use (.h5).");
  extract->add_option("run_dir", extract_options.run_dir, "Run directory")->required();
  extract->add_option("--task", extract_options.task, "The task")->required();
  extract->add_option("--out", extract_options.out, "The component file to write: NAME.h5")
      ->required();
  extract
      ->add_option("--thresh", extract_options.thresh,
                   "Keep an expert whose share of the task's selections, in percent, exceeds "
                   "THRESH / top_k (default: 3; 0 keeps every expert the task selected)")
      ->check(CLI::NonNegativeNumber);

  auto* report = app.add_subcommand(
      "report", "Write RUN_DIR/report.html: plots of the run, self-contained (inline SVG).");
  report->add_option("run_dir", run_dir, "Run directory")->required();
  std::vector<std::string> report_with;
  report->add_option("--with", report_with, "Other runs to show beside it (run directories)");
  bool dot = false;
  auto* dot_flag =
      report->add_flag("--dot", dot, "Print the model graph for Graphviz (DOT) instead");
  std::vector<std::string> report_confusions;
  report
      ->add_option("--confusion", report_confusions,
                   "Add the confusion matrix of this task's test split (repeatable; default: "
                   "none); classifies it with the task's committed path, reading its dataset")
      ->excludes(dot_flag);
  bool report_transfer = false;
  report
      ->add_flag("--transfer", report_transfer,
                 "Measure forward transfer with linear probes: for each task, a probe on the path "
                 "committed before it against one on the root (reads every task's dataset; a "
                 "few seconds per task)")
      ->excludes(dot_flag);

  auto* compare = app.add_subcommand("compare", "Print runs side by side (metrics, per task).");
  std::vector<std::string> compare_dirs;
  compare->add_option("run_dirs", compare_dirs, "Run directories")->required();
  bool compare_json = false;
  bool compare_csv = false;
  auto* compare_json_flag = compare->add_flag("--json", compare_json, "Print one JSON object");
  compare->add_flag("--csv", compare_csv, "Print CSV: a row per metric, a column per run")
      ->excludes(compare_json_flag);

  auto* replay = app.add_subcommand(
      "replay", "Run a finished run again and check it reaches the same state hash.");
  replay->add_option("run_dir", run_dir, "Run directory")->required();
  std::string replay_out;
  replay->add_option("--out", replay_out, "Where the replay goes (default: RUN_DIR/replay)");

  auto* tasks =
      app.add_subcommand("tasks", "List a scenario's tasks with their classes and splits.");
  tasks->add_option("scenario", scenario, "Scenario file (TOML)")->required();
  tasks->add_flag("--hash", hash, "Also print each task's content hash");
  std::vector<std::string> sets;
  for (auto* command : {run, tasks, serve}) {
    command->add_option("--set", sets,
                        "Override a scenario key, validated like the file: KEY=VALUE, e.g. "
                        "strategy.task_steps=100 or tasks[0].max_train=500 (repeatable)");
  }

  // One subcommand per benchmark, each with its own options and help.
  auto* bench =
      app.add_subcommand("bench", "Run a benchmark: blas, trainer, root, scaling or gateway.");
  bench->require_subcommand(1);
  auto* bench_blas =
      bench->add_subcommand("blas", "Which BLAS LibTorch runs on, and its GEMM speed.");
  bench_blas->add_flag("--json", bench_json, "Print one JSON object");
  auto* bench_trainer = bench->add_subcommand(
      "trainer", "Images per second and FLOP utilisation of one candidate's training.");
  bench_trainer
      ->add_option("--trainable", bench_trainable,
                   "all | top (vit-tiny) | masks | coefficients (SupSup's masked 784-300-300-10 "
                   "net: its masks, or ImpressLearn's coefficients over 10 impressions) "
                   "(default: all)")
      ->check(CLI::IsMember({"all", "top", "masks", "coefficients"}));
  bench_trainer
      ->add_option("--steps", trainer_bench.steps, "Timed steps per repetition (default: 40)")
      ->check(CLI::PositiveNumber);
  bench_trainer
      ->add_option("--repetitions", trainer_bench.repetitions,
                   "Repetitions, the median is reported (default: 3)")
      ->check(CLI::PositiveNumber);
  bench_trainer->add_option("--threads", trainer_bench.threads, "Torch threads (default: 1)")
      ->check(CLI::PositiveNumber);
  bool no_prefix_cache = false;
  bench_trainer->add_flag("--no-prefix-cache", no_prefix_cache,
                          "Recompute the frozen prefix every step");
  bench_trainer->add_flag("--json", bench_json, "Print one JSON object");
  auto* bench_root =
      bench->add_subcommand("root", "Train a scenario's root: test accuracy and time.");
  bench_root->add_option("--scenario", scenario,
                         "The scenario (default: the shipped configs/fmnist-stream.toml)");
  std::string export_root;
  bench_root->add_option("--export", export_root, "Write the trained root to this HDF5 file");
  auto* bench_scaling = bench->add_subcommand(
      "scaling", "Throughput by trainers and by tasks at once, costs by number of tasks.");
  evostream::app::ScalingOptions scaling;
  bench_scaling->add_option("--scenario", scenario,
                            "The scenario (default: the shipped configs/bench-scaling.toml)");
  bench_scaling
      ->add_option("--repetitions", trainer_bench.repetitions,
                   "Repetitions, the median is reported (default: 3)")
      ->check(CLI::PositiveNumber);
  bench_scaling->add_option("--trainers", scaling.trainers,
                            "Trainer counts (default: 1 up to the cores)");
  bench_scaling->add_option("--concurrent", scaling.concurrent,
                            "Tasks evolving at once (default: 1 2 4 8)");
  bench_scaling->add_option("--out", scaling.out, "Output directory (default: runs/bench-scaling)");
  bench_scaling->add_option("--tasks", scaling.tasks,
                            "Stream lengths of the tasks axis (default: 10 100 1000 10000, 0: "
                            "none)");
  bench_scaling->add_option("--tasks-scenario", scaling.tasks_scenario,
                            "The tasks axis' scenario, simulated or with [[tasks]] to cycle "
                            "(default: the shipped configs/simulated.toml)");

  evostream::app::GatewayLoadOptions gateway_load;
  auto* bench_gateway = bench->add_subcommand(
      "gateway",
      "Serve a run while it trains: candidates/s with and without HTTP load, latencies.");
  bench_gateway->add_option(
      "--scenario", scenario,
      "The stream learned first (default: the shipped configs/bench-gateway.toml)");
  bench_gateway
      ->add_option("--rounds", gateway_load.rounds,
                   "Rounds with load and as many without, alternated (default: 3)")
      ->check(CLI::PositiveNumber);
  bench_gateway
      ->add_option("--status-rate", gateway_load.status_rate,
                   "GET /status requests per second under load (default: 20)")
      ->check(CLI::PositiveNumber);
  bench_gateway
      ->add_option("--predict-rate", gateway_load.predict_rate,
                   "Predict requests per second under load (default: 5)")
      ->check(CLI::PositiveNumber);
  bench_gateway
      ->add_option("--images", gateway_load.images, "Images per predict request (default: 64)")
      ->check(CLI::PositiveNumber);
  bench_gateway
      ->add_option("--throughput-requests", gateway_load.throughput_requests,
                   "Predict requests of the HTTP against in-process comparison "
                   "(default: 40)")
      ->check(CLI::PositiveNumber);
  bench_gateway->add_option("--out", gateway_load.out,
                            "Output directory (default: runs/bench-gateway)");

  bool quiet = false;
  bool json_events = false;
  bool verbose = false;
  for (auto* command : {run, resume, replay, serve}) {
    auto* quiet_flag =
        command->add_flag("--quiet", quiet, "Print only the final summary (or how to resume)");
    auto* json_flag = command
                          ->add_flag("--json", json_events,
                                     "Print every event as one JSON object per line (as in "
                                     "events.jsonl)")
                          ->excludes(quiet_flag);
    command
        ->add_flag("--verbose", verbose,
                   "On a terminal, also keep a line per candidate (plain output always has them)")
        ->excludes(quiet_flag)
        ->excludes(json_flag);
  }

  // `evostream help [COMMAND]` is `--help`; a mistyped command is named with a suggestion.
  if (argc >= 2 && std::string(argv[1]) == "help") {
    const CLI::App* topic = &app;
    if (argc >= 3) {
      const std::string unknown = unknown_command(app, argv[2]);
      if (!unknown.empty()) {
        std::cerr << "evostream: error: " << unknown << "; see " << invoked << " --help\n";
        return 2;
      }
      topic = app.get_subcommand(argv[2]);
    }
    std::cout << topic->help();
    return 0;
  }
  // The command word, and for `bench` the benchmark's, checked in turn.
  const CLI::App* level = &app;
  std::string help_of = invoked;
  for (int i = 1; i < argc && !level->get_subcommands({}).empty(); ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-' || word == "help")
      break;
    const std::string unknown = unknown_command(*level, word);
    if (!unknown.empty()) {
      std::cerr << "evostream: error: " << unknown << "; see " << help_of << " --help\n";
      return 2;
    }
    level = level->get_subcommand(word);
    help_of += " " + word;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Point at the help of the command that was being parsed.
    std::string where = invoked;
    for (const CLI::App* sub : app.get_subcommands())
      where += " " + sub->get_name();
    std::cerr << "evostream: error: " << e.what() << " (see " << where << " --help)\n";
    return 2;
  }

  try {
    if (tasks->parsed()) {
      check_blas();
      return evostream::app::TasksCommand({scenario, hash, sets}).run(std::cout);
    }
    if (run->parsed()) {
      check_blas();
      evostream::app::RunOptions options;
      options.scenario = scenario;
      options.sets = sets;
      options.out = out_dir;
      options.strategy = strategy;
      options.root = root_file;
      options.trainers = trainers;
      options.force = force;
      if (listen->count())
        options.listen = listen_port;
      options.bind = bind;
      options.credentials = run_credentials;
      options.insecure = run_insecure;
      options.wait_workers = wait_workers;
      options.worker_timeout = worker_timeout;
      options.max_message_mib = run_max_message;
      options.fast = fast;
      if (run->count("--seed"))
        options.seed = seed;
      options.faults = evostream::storage::FaultInjection::from_environment();
      auto view = progress_view(quiet, json_events, invoked, verbose);
      if (serve_flag->count()) {
        evostream::app::ServeOptions served;
        served.target = scenario;
        served.run = options;
        served.port = serve_port;
        return evostream::app::ServeCommand(served).run(view, std::cout, std::cerr);
      }
      if (!seeds.empty())
        return evostream::app::SeedSweep(options, seeds).run(view, std::cout);
      evostream::app::RunEvents events(view);
      return evostream::app::RunCommand(options).run(events);
    }
    if (serve->parsed()) {
      check_blas();
      serve_options.run.sets = sets;
      auto view = progress_view(quiet, json_events, invoked, verbose);
      return evostream::app::ServeCommand(serve_options).run(view, std::cout, std::cerr);
    }
    if (resume->parsed()) {
      check_blas();
      auto view = progress_view(quiet, json_events, invoked, verbose);
      evostream::app::RunEvents events(view);
      return evostream::app::ResumeCommand(run_dir, more_tasks,
                                           evostream::storage::FaultInjection::from_environment())
          .run(events, std::cerr);
    }
    if (worker->parsed()) {
      check_blas();
      evostream::model::check_device(device, "--device");
      const auto colon = connect.rfind(':');
      const std::string port_text = colon == std::string::npos ? "" : connect.substr(colon + 1);
      if (colon == 0 || port_text.empty() || port_text.size() > 5 ||
          port_text.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(port_text) == 0 || std::stoi(port_text) > 65535) {
        std::cerr << "evostream: error: --connect: expected HOST:PORT, found \"" << connect
                  << "\"\n";
        return 2;
      }
      if (worker_credentials.empty() && !worker_insecure) {
        std::cerr << "evostream: error: --credentials: expected the run's key and certificate "
                     "file (its DIR/tls.pem, copied to this machine), or --insecure for a run "
                     "started with --insecure\n";
        return 2;
      }
      std::optional<evostream::actors::TlsCredentials> credentials;
      if (!worker_insecure)
        credentials = evostream::actors::TlsCredentials::open(worker_credentials);
      return evostream::actors::Worker(
                 connect.substr(0, colon), static_cast<uint16_t>(std::stoi(port_text)), device,
                 worker_threads, credentials, static_cast<uint64_t>(worker_max_message) << 20,
                 evostream::storage::FaultInjection::from_environment())
          .run(std::cout);
    }
    if (inspect->parsed())
      return evostream::app::InspectCommand(run_dir, hash).run(std::cout, std::cerr);
    if (export_cmd->parsed())
      return evostream::app::ExportCommand(export_options).run(std::cout, std::cerr);
    if (extract->parsed()) {
      check_blas();
      return evostream::app::ExtractCommand(extract_options).run(std::cout, std::cerr);
    }
    if (predict->parsed()) {
      check_blas();
      return evostream::app::PredictCommand(predict_options).run(std::cout, std::cerr);
    }
    if (report->parsed())
      return evostream::app::ReportCommand(
                 {run_dir, report_with, dot, report_confusions, report_transfer})
          .run(std::cout, std::cerr);
    if (compare->parsed())
      return evostream::app::CompareCommand(compare_dirs,
                                            compare_json  ? evostream::app::CompareFormat::kJson
                                            : compare_csv ? evostream::app::CompareFormat::kCsv
                                                          : evostream::app::CompareFormat::kTable)
          .run(std::cout, std::cerr);
    if (replay->parsed()) {
      check_blas();
      auto view = progress_view(quiet, json_events, invoked, verbose);
      evostream::app::RunEvents events(view);
      return evostream::app::ReplayCommand(run_dir, replay_out).run(events, std::cout);
    }
    if (bench_blas->parsed()) {
      const auto r = BlasCheck::run();
      if (bench_json) {
        std::cout << nlohmann::json{{"library", r.library},
                                    {"optimised", r.optimised},
                                    {"gflops", r.gflops}}
                         .dump()
                  << "\n";
      } else {
        std::cout << r.summary() << "\n";
      }
      if (!r.optimised)
        std::cerr << r.warning() << "\n";
      return 0;
    }
    if (bench_root->parsed()) {
      check_blas();
      return evostream::app::RootBenchCommand(
                 scenario.empty() ? shipped_config("fmnist-stream.toml") : scenario, export_root)
          .run(std::cout);
    }
    if (bench_trainer->parsed()) {
      check_blas();
      using Trainable = evostream::model::TrainerBenchOptions::Trainable;
      trainer_bench.trainable = bench_trainable == "all"     ? Trainable::kAll
                                : bench_trainable == "top"   ? Trainable::kTop
                                : bench_trainable == "masks" ? Trainable::kMasks
                                                             : Trainable::kCoefficients;
      trainer_bench.fashion_mnist_dir = evostream::config::default_fashion_mnist_dir();
      trainer_bench.prefix_cache = !no_prefix_cache;
      const auto r = evostream::model::TrainerBenchmark::run(trainer_bench);
      std::cout << (bench_json ? r.json() + "\n" : r.text());
      return 0;
    }
    if (bench_gateway->parsed()) {
      check_blas();
      gateway_load.scenario = scenario.empty() ? shipped_config("bench-gateway.toml") : scenario;
      return evostream::app::GatewayLoadBench(gateway_load).run(std::cout);
    }
    if (bench_scaling->parsed()) {
      check_blas();
      scaling.scenario = scenario.empty() ? shipped_config("bench-scaling.toml") : scenario;
      if (bench_scaling->count("--tasks-scenario") == 0)
        scaling.tasks_scenario = shipped_config("simulated.toml");
      scaling.repetitions = trainer_bench.repetitions;
      scaling.tasks.erase(std::remove(scaling.tasks.begin(), scaling.tasks.end(), int64_t{0}),
                          scaling.tasks.end());
      return evostream::app::ScalingBenchCommand(scaling).run(std::cout);
    }
  } catch (const std::exception& e) {
    std::cerr << "evostream: error: " << as_invoked(e.what(), invoked) << "\n";
    return 1;
  }
  return 0;
}
