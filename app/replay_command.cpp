#include "app/replay_command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/run_session.hpp"
#include "config/scenario_parser.hpp"
#include "storage/results_reader.hpp"
#include "storage/run_directory.hpp"
#include "storage/run_lock.hpp"

namespace evostream::app {

namespace {

namespace fs = std::filesystem;

std::string row_text(const model::AccuracyMatrix& m, size_t i) {
  std::string out;
  for (size_t j = 0; j < m.tasks().size(); ++j) {
    if (const auto v = m.at(i, j))
      out += fmt::format("{}{:.2f}", out.empty() ? "" : " ", 100.0 * *v);
  }
  return out;
}

const model::TaskResult* find_task(const model::RunResults& r, const std::string& name) {
  for (const auto& t : r.tasks) {
    if (t.name == name)
      return &t;
  }
  return nullptr;
}

// How two results of the same task differ, or empty.
std::string task_difference(const model::TaskResult& a, const model::TaskResult& b) {
  if (a.path.ids != b.path.ids)
    return fmt::format("its committed path differs ({} vs {})", a.path.name, b.path.name);
  if (a.validation_accuracy != b.validation_accuracy)
    return fmt::format("its validation accuracy differs ({:.4f} vs {:.4f})", a.validation_accuracy,
                       b.validation_accuracy);
  if (a.predictions_hash != b.predictions_hash)
    return fmt::format("its test predictions differ (hash {} vs {})", a.predictions_hash,
                       b.predictions_hash);
  return {};
}

}  // namespace

std::optional<std::string> ReplayCommand::divergence(const model::RunResults& recorded,
                                                     const model::RunResults& replayed) {
  const auto& a = recorded.matrix;
  const auto& b = replayed.matrix;
  for (size_t i = 0; i < std::max(a.rows(), b.rows()); ++i) {
    if (i >= a.rows() || i >= b.rows())
      return fmt::format("task visit {}: the recorded run has {} visits, the replay {}", i + 1,
                         a.rows(), b.rows());
    const std::string task = a.tasks()[static_cast<size_t>(a.learned(i))];
    if (task != b.tasks()[static_cast<size_t>(b.learned(i))])
      return fmt::format("task visit {}: the recorded run learned {}, the replay {}", i + 1, task,
                         b.tasks()[static_cast<size_t>(b.learned(i))]);
    const std::string ra = row_text(a, i);
    const std::string rb = row_text(b, i);
    const auto* ta = find_task(recorded, task);
    const auto* tb = find_task(replayed, task);
    const std::string why = ta && tb ? task_difference(*ta, *tb) : std::string();
    if (ra != rb || !why.empty()) {
      return fmt::format("task visit {} ({}): {}{}", i + 1, task,
                         ra != rb ? fmt::format("test accuracies differ ({} vs {})", ra, rb) : why,
                         ra != rb && !why.empty() ? "; " + why : "");
    }
  }
  for (const auto& t : recorded.tasks) {
    const auto* other = find_task(replayed, t.name);
    if (!other)
      return fmt::format("task {} is missing from the replay", t.name);
    const std::string why = task_difference(t, *other);
    if (!why.empty())
      return fmt::format("task {}: {}", t.name, why);
  }
  if (recorded.store_hash != replayed.store_hash)
    return fmt::format("every recorded result agrees, but the stores differ (store hash {} vs {})",
                       recorded.store_hash, replayed.store_hash);
  if (!recorded.state_hash.empty() && recorded.state_hash != replayed.state_hash)
    return fmt::format("every recorded result agrees, but the state hashes differ ({} vs {})",
                       recorded.state_hash, replayed.state_hash);
  return std::nullopt;
}

int ReplayCommand::run(RunEvents& events, std::ostream& out) const {
  const model::RunResults recorded = storage::ResultsReader::read_run(run_dir_);
  if (!recorded.complete) {
    throw std::invalid_argument(fmt::format(
        "{}: the run is not complete ({} of {} task visits); finish it with `evostream resume "
        "{}` before replaying it",
        run_dir_, recorded.events_done, recorded.events_total, run_dir_));
  }
  const storage::RunDirectory source(run_dir_);
  storage::LoadedRun loaded = source.load(false);
  config::Scenario s = config::ScenarioParser::parse_file(source.scenario_path());
  s.strategy.name = recorded.strategy;
  s.seed = recorded.seed;

  const std::string dir = out_.empty() ? run_dir_ + "/replay" : out_;
  storage::RunDirectory(dir).check_replaceable("--out", out_.empty() ? "" : run_dir_);
  fs::create_directories(dir);
  // Held until the replay ends; what an earlier replay left is cleared under it.
  const storage::RunLock lock(dir);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != storage::RunLock::kFile)
      fs::remove_all(entry.path());
  }
  fs::copy_file(source.scenario_path(), dir + "/scenario.toml");
  events.open(dir + "/events.jsonl", false);
  events.message(fmt::format("replay {} ({}, seed {}) into {}", run_dir_, recorded.strategy,
                             recorded.seed, dir));
  RunNetwork network;
  network.fast = true;
  std::ifstream in(source.scenario_path());
  std::stringstream text;
  text << in.rdbuf();
  network.scenario_text = text.str();
  const int status =
      RunSession(s, storage::RunDirectory(dir), network).start(std::move(loaded.root), events);
  events.close();
  if (status != 0)
    return status;
  const model::RunResults replayed = storage::ResultsReader::read_run(dir);
  if (!replayed.complete) {
    out << fmt::format("replay interrupted; nothing verified (the partial replay is in {})\n", dir);
    return kInterruptedStatus;
  }
  if (const auto where = divergence(recorded, replayed)) {
    out << fmt::format(
        "replay diverged from {}: {}\nrecorded state-hash: {}\nreplayed state-hash: "
        "{}\n",
        run_dir_, *where, recorded.state_hash, replayed.state_hash);
    return 1;
  }
  out << fmt::format("replay matches {}: state-hash {}\n", run_dir_, replayed.state_hash);
  return 0;
}

}  // namespace evostream::app
