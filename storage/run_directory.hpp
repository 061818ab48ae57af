#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/run/stream_runner.hpp"
#include "storage/fault_injection.hpp"
#include "storage/progress_codec.hpp"

namespace evostream::storage {

/// A run as read back from its snapshots.
struct LoadedRun {
  RunIdentity identity;
  /// The progress recorded by the latest complete snapshot.
  model::RunProgress progress;
  /// The root's components (snapshot 0).
  std::vector<model::Component> root;
  /// Every component committed after the root, in commit order.
  std::vector<model::Component> components;
  /// The path each commit committed (snapshots 1, 2, ...), in commit order.
  std::vector<model::Path> commits;
  /// The sequence number of the latest complete snapshot.
  int64_t sequence = -1;
  /// One line per snapshot that could not be used (checksum, truncation), naming the file.
  std::vector<std::string> warnings;
};

/// A run directory: the scenario copy, `results.json` and `snapshots/`.
///
/// Snapshot n (`snapshots/snapshot-NNNNNN.h5`) is written after the n-th task commit (snapshot
/// 0 holds the root) and holds only the components created since snapshot n−1, plus the whole
/// progress as JSON text (`/state`, checked by `/state_hash`). Each is written to a temporary
/// file, flushed and renamed, so a crash leaves the previous chain intact.
class RunDirectory {
 public:
  explicit RunDirectory(std::string path);

  const std::string& path() const { return path_; }
  /// `path/snapshots/snapshot-NNNNNN.h5`.
  std::string snapshot_path(int64_t sequence) const;
  /// The scenario copy, `path/scenario.toml`.
  std::string scenario_path() const { return path_ + "/scenario.toml"; }
  /// Whether the directory holds a run (a scenario copy and snapshot 0).
  bool is_run() const;
  /// Whether evostream may clear the directory to write a run into it: it does not exist, is
  /// empty, or holds what evostream writes (a run, or what a run writes before its first
  /// snapshot, when killed as it starts: any of its lock, scenario copy and `events.jsonl`).
  bool replaceable() const;
  /// Raises `std::invalid_argument` naming the directory when it is not `replaceable`, or when
  /// it is, or contains, `keep` (a run a command reads); `what` says who asked ("--out").
  void check_replaceable(const std::string& what, const std::string& keep = "") const;

  /// Writes snapshot `sequence` with the components `added` by that commit; `faults` may ask to
  /// die in the middle of it (crash tests).
  void write_snapshot(int64_t sequence, const config::ArchitectureSpec& architecture,
                      const std::vector<model::Component>& added, const RunIdentity& identity,
                      const model::ProgressStep& progress, const FaultInjection& faults = {}) const;

  /// Loads the longest chain of complete snapshots from 0. A snapshot that fails its checks is
  /// renamed to `*.corrupt` (with every later one, which builds on it) and reported in
  /// `warnings`; the run continues from the one before. Raises `StorageError` when snapshot 0
  /// is unusable or the directory is not a run. A missing snapshot with later ones after it
  /// (a gap) is reported too, and the later ones renamed to `*.orphan`, so that the resumed run
  /// does not silently write over them. With `set_aside` false nothing is renamed (for reading
  /// only).
  LoadedRun load(bool set_aside = true) const;

 private:
  // Reports (and, with `set_aside`, renames) the snapshots after the missing one `missing`.
  void report_gap(int64_t missing, bool set_aside, std::vector<std::string>& warnings) const;

  std::string path_;
};

}  // namespace evostream::storage
