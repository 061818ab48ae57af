#include "storage/run_directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "common/content_hash.hpp"
#include "storage/component_file.hpp"
#include "storage/run_lock.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

namespace fs = std::filesystem;
constexpr const char* kSnapshotFormat = "evostream-snapshot";

}  // namespace

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {}

std::string RunDirectory::snapshot_path(int64_t sequence) const {
  return fmt::format("{}/snapshots/snapshot-{:06d}.h5", path_, sequence);
}

bool RunDirectory::is_run() const {
  std::error_code ec;
  return fs::exists(scenario_path(), ec) && fs::exists(snapshot_path(0), ec);
}

bool RunDirectory::replaceable() const {
  std::error_code ec;
  if (!fs::exists(path_, ec))
    return true;
  if (!fs::is_directory(path_, ec))
    return false;
  // An empty directory (a user's, or a run killed before it took its lock), or only what a run
  // writes before its first snapshot (a run killed as it started): its lock, its scenario copy
  // (or that copy's temporary file) and its events. The lock comes first, so a directory with
  // other files but without it (a user's own scenario.toml, say) is not one of these.
  const bool locked = fs::exists(fs::path(path_) / RunLock::kFile, ec);
  bool starting = true;
  std::error_code listed;
  for (const auto& entry : fs::directory_iterator(path_, listed)) {
    const std::string name = entry.path().filename().string();
    starting = starting && locked &&
               (name == RunLock::kFile || name == "scenario.toml" || name == "scenario.toml.tmp" ||
                name == "events.jsonl");
  }
  if (listed)
    return false;
  if (starting || is_run())
    return true;
  return fs::exists(scenario_path(), ec) && fs::exists(path_ + "/events.jsonl", ec);
}

void RunDirectory::check_replaceable(const std::string& what, const std::string& keep) const {
  std::error_code ec;
  if (!keep.empty()) {
    // Compared by their components, a trailing separator left out.
    const auto absolute = [&ec](const std::string& p) {
      fs::path c = fs::weakly_canonical(p, ec).lexically_normal();
      return c.filename().empty() ? c.parent_path() : c;
    };
    const fs::path out = absolute(path_);
    const fs::path kept = absolute(keep);
    const auto [at, _] = std::mismatch(out.begin(), out.end(), kept.begin(), kept.end());
    if (at == out.end()) {
      throw std::invalid_argument(
          fmt::format("{}: {} would replace {}, which this command reads; choose another directory",
                      path_, what, keep));
    }
  }
  if (!replaceable()) {
    throw std::invalid_argument(fmt::format(
        "{}: {} names a directory that is not a run evostream wrote (expected none, an empty "
        "one or a run directory); evostream deletes only what it wrote: choose another one or "
        "empty it",
        path_, what));
  }
}

void RunDirectory::write_snapshot(int64_t sequence, const config::ArchitectureSpec& architecture,
                                  const std::vector<model::Component>& added,
                                  const RunIdentity& identity, const model::ProgressStep& progress,
                                  const FaultInjection& faults) const {
  fs::create_directories(path_ + "/snapshots");
  FileExtras extras;
  extras.format = kSnapshotFormat;
  const std::string state = ProgressCodec::encode(identity, progress);
  extras.texts["state"] = state;
  extras.texts["state_hash"] = common::ContentHash().update(state).hex();
  extras.texts["sequence"] = std::to_string(sequence);
  extras.kill_before_flush = faults.kill_in_snapshot > 0 && faults.kill_in_snapshot == sequence;
  ComponentFile::write(snapshot_path(sequence), architecture, added, extras);
}

void RunDirectory::report_gap(int64_t missing, bool set_aside,
                              std::vector<std::string>& warnings) const {
  // Snapshots after a missing one cannot be used (each adds to the one before), and a resumed
  // run would write over them: they are named, and set aside.
  static const std::regex kSnapshot("snapshot-([0-9]{6})\\.h5");
  std::vector<int64_t> after;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path_ + "/snapshots", ec)) {
    std::smatch m;
    const std::string name = entry.path().filename().string();
    if (std::regex_match(name, m, kSnapshot) && std::stoll(m[1].str()) > missing)
      after.push_back(std::stoll(m[1].str()));
  }
  if (after.empty())
    return;
  std::sort(after.begin(), after.end());
  if (set_aside) {
    for (int64_t m : after)
      fs::rename(snapshot_path(m), snapshot_path(m) + ".orphan", ec);
  }
  warnings.push_back(fmt::format(
      "{}: missing, but {} later snapshot(s) exist ({}..{}), which cannot be used without it "
      "({}using {})",
      snapshot_path(missing), after.size(),
      fs::path(snapshot_path(after.front())).filename().string(),
      fs::path(snapshot_path(after.back())).filename().string(),
      set_aside ? "set aside as .orphan; " : "",
      fs::path(snapshot_path(missing - 1)).filename().string()));
}

LoadedRun RunDirectory::load(bool set_aside) const {
  std::error_code ec;
  if (!fs::exists(path_, ec))
    throw StorageError(path_, "no such directory");
  if (!is_run() && fs::exists(scenario_path(), ec) && fs::exists(path_ + "/events.jsonl", ec)) {
    // A run stopped (killed, say) while it trained or imported its root: nothing was committed.
    throw StorageError(path_,
                       "the run stopped before its root was saved (no "
                       "snapshots/snapshot-000000.h5): there is nothing to resume; start it again "
                       "with the same `evostream run` command and --force");
  }
  if (!is_run()) {
    throw StorageError(path_,
                       "not a run directory (expected scenario.toml and "
                       "snapshots/snapshot-000000.h5)");
  }
  LoadedRun out;
  for (int64_t n = 0;; ++n) {
    const std::string file = snapshot_path(n);
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      report_gap(n, set_aside, out.warnings);
      break;
    }
    try {
      ComponentSet set = ComponentFile::read(file, kSnapshotFormat, true);
      const std::string& state = set.texts["state"];
      const std::string found = common::ContentHash().update(state).hex();
      if (found != set.texts["state_hash"]) {
        throw StorageError(file, fmt::format("/state: checksum mismatch: expected {}, found {}",
                                             set.texts["state_hash"], found));
      }
      if (set.texts["sequence"] != std::to_string(n)) {
        throw StorageError(
            file, fmt::format("/sequence: expected {}, found \"{}\"", n, set.texts["sequence"]));
      }
      // Read and checked in full before anything is folded in: a bad snapshot changes nothing.
      model::ProgressStep step;
      const RunIdentity identity = ProgressCodec::decode(state, file, out.progress, step);
      if (n > 0)
        out.commits.push_back(step.path);
      ProgressCodec::fold(step, out.progress);
      out.identity = identity;
      auto& into = n == 0 ? out.root : out.components;
      for (auto& c : set.components)
        into.push_back(std::move(c));
      out.sequence = n;
    } catch (const StorageError& e) {
      if (n == 0)
        throw;
      // This one and every later one are set aside; the chain ends at n - 1.
      for (int64_t m = n; set_aside; ++m) {
        const std::string bad = snapshot_path(m);
        if (!fs::exists(bad, ec))
          break;
        fs::rename(bad, bad + ".corrupt", ec);
      }
      out.warnings.push_back(fmt::format(
          "{} ({}using {})", e.what(),
          set_aside ? fmt::format("set aside as {}.corrupt; ", fs::path(file).filename().string())
                    : "",
          fs::path(snapshot_path(n - 1)).filename().string()));
      break;
    }
  }
  return out;
}

}  // namespace evostream::storage
