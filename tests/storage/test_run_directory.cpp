#include <ATen/ATen.h>
#include <hdf5.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "model/model_fixtures.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "storage/run_directory.hpp"
#include "storage/storage_error.hpp"
#include "support/test_files.hpp"

using namespace evostream;
using evostream::testing::TempDir;

namespace {

namespace fs = std::filesystem;

// The step of visit `events` of a two-task stream (t0, then t1); 0 names the tasks.
model::ProgressStep step(int64_t events) {
  model::ProgressStep p;
  p.events_done = events;
  if (events == 0) {
    p.tasks = {{"t0", 2}, {"t1", 5}};
    return p;
  }
  const std::string name = events == 1 ? "t0" : "t1";
  p.learned = events - 1;
  p.path.name = name + "@0.0.1";
  p.path.task = name;
  p.path.ids = {"root/block0", name + "/head"};
  p.path.recipe.learning_rate = 0.02;
  p.path.quality = 1.0 / 3.0;
  p.task.name = name;
  p.task.candidates = 4;
  if (events == 1) {
    p.entries = {{0, 0.1 + 1e-17}};
    p.entry_hashes = {"ht0"};
  } else {
    p.entries = {{1, 0.7}};  // t0 keeps its value: not measured again
    p.entry_hashes = {"ht1"};
  }
  p.counters[name + "\nroot"] = 3;
  return p;
}

// A run directory with snapshots 0 (a root), 1 and 2 (a head each).
struct Run {
  TempDir tmp;
  storage::RunDirectory dir{tmp.path()};
  storage::RunIdentity id{"s", "mu2net", 7, 2};

  Run() {
    std::ofstream(dir.scenario_path()) << "name = \"s\"\n";
    dir.write_snapshot(0, evostream::testing::micro_arch(),
                       model::VitFactory::root(evostream::testing::micro_arch(), 3, "root", 1), id,
                       step(0));
    dir.write_snapshot(1, evostream::testing::micro_arch(),
                       {model::VitFactory::head("t0/head", "t0", 16, 2)}, id, step(1));
    dir.write_snapshot(2, evostream::testing::micro_arch(),
                       {model::VitFactory::head("t1/head", "t1", 16, 5)}, id, step(2));
  }
};

// Flips one byte at `offset` of `file`.
void flip(const std::string& file, int64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c = 0;
  f.get(c);
  f.seekp(offset);
  f.put(static_cast<char>(c ^ 0x5a));
}

// The file offset of dataset `name` (contiguous storage).
int64_t dataset_offset(const std::string& file, const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  const auto offset = static_cast<int64_t>(H5Dget_offset(d));
  H5Dclose(d);
  H5Fclose(f);
  return offset;
}

}  // namespace

TEST_CASE("A snapshot chain reads back its components and progress bit for bit", "[storage]") {
  Run run;
  const storage::LoadedRun l = run.dir.load();
  CHECK(l.warnings.empty());
  CHECK(l.sequence == 2);
  CHECK(l.identity.strategy == "mu2net");
  CHECK(l.identity.seed == 7);
  CHECK(l.root.size() == 7);
  REQUIRE(l.components.size() == 2);
  CHECK(l.components[1].id() == "t1/head");
  const model::RunProgress& p = l.progress;
  CHECK(p.events_done == 2);
  REQUIRE(p.rows.size() == 2);
  REQUIRE(p.rows[0].size() == 1);
  CHECK(p.rows[0][0].task == 0);
  CHECK(p.rows[0][0].accuracy == 0.1 + 1e-17);  // doubles come back exactly
  REQUIRE(p.rows[1].size() == 1);
  CHECK(p.rows[1][0].task == 1);
  CHECK(p.rows[1][0].accuracy == 0.7);
  CHECK(p.row_learned == std::vector<int64_t>{0, 1});
  CHECK(p.paths.at("t0").quality == 1.0 / 3.0);
  CHECK(p.paths.at("t1").recipe.learning_rate == 0.02);
  CHECK(p.last_task == "t1");
  CHECK(p.strategy_counters.at("t0\nroot") == 3);
  CHECK(p.strategy_counters.at("t1\nroot") == 3);
  CHECK(p.tasks.at(0).candidates == 4);
  CHECK(p.tasks.at(1).test_accuracy == 0.7);
  CHECK(p.tasks.at(0).predictions_identical);
  CHECK(p.committed_hash.at("t1") == "ht1");
}

TEST_CASE("A corrupt tensor in a snapshot is reported and the chain ends before it", "[storage]") {
  Run run;
  const std::string second = run.dir.snapshot_path(2);
  flip(second, dataset_offset(second, "/components/t1:head/weight") + 5);
  const storage::LoadedRun l = run.dir.load();
  REQUIRE(l.warnings.size() == 1);
  CHECK_THAT(l.warnings[0], Catch::Contains("snapshot-000002.h5"));
  CHECK_THAT(l.warnings[0], Catch::Contains("checksum mismatch"));
  CHECK_THAT(l.warnings[0], Catch::Contains("using snapshot-000001.h5"));
  CHECK(l.sequence == 1);
  CHECK(l.progress.events_done == 1);
  CHECK(l.progress.rows.size() == 1);  // nothing of the bad snapshot was folded in
  CHECK(fs::exists(second + ".corrupt"));
  CHECK_FALSE(fs::exists(second));
}

TEST_CASE("A missing middle snapshot is reported and the ones after it are set aside",
          "[storage]") {
  Run run;
  fs::remove(run.dir.snapshot_path(1));
  // Reading only: reported, nothing renamed.
  const storage::LoadedRun seen = run.dir.load(false);
  REQUIRE(seen.warnings.size() == 1);
  CHECK_THAT(seen.warnings[0],
             Catch::Contains("snapshot-000001.h5: missing, but 1 later snapshot(s) exist "
                             "(snapshot-000002.h5..snapshot-000002.h5), which cannot be used "
                             "without it (using snapshot-000000.h5)"));
  CHECK(fs::exists(run.dir.snapshot_path(2)));
  // Resuming: set aside, so the resumed run's snapshot 2 does not overwrite it unannounced.
  const storage::LoadedRun l = run.dir.load();
  REQUIRE(l.warnings.size() == 1);
  CHECK_THAT(l.warnings[0], Catch::Contains("set aside as .orphan; using snapshot-000000.h5"));
  CHECK(l.sequence == 0);
  CHECK(fs::exists(run.dir.snapshot_path(2) + ".orphan"));
  CHECK_FALSE(fs::exists(run.dir.snapshot_path(2)));
  // The end of a chain is no gap.
  Run whole;
  CHECK(whole.dir.load().warnings.empty());
}

TEST_CASE("A corrupt progress text is caught before it is read", "[storage]") {
  Run run;
  const std::string first = run.dir.snapshot_path(1);
  flip(first, dataset_offset(first, "/state") + 20);
  const storage::LoadedRun l = run.dir.load(false);
  REQUIRE(l.warnings.size() == 1);
  CHECK_THAT(l.warnings[0], Catch::Contains("snapshot-000001.h5: whole-file checksum mismatch"));
  CHECK(l.sequence == 0);
  CHECK(fs::exists(first));  // reading only: nothing set aside
}

TEST_CASE("A truncated snapshot is reported by file name", "[storage]") {
  Run run;
  const std::string second = run.dir.snapshot_path(2);
  fs::resize_file(second, fs::file_size(second) / 2);
  const storage::LoadedRun l = run.dir.load();
  REQUIRE(l.warnings.size() == 1);
  CHECK_THAT(l.warnings[0], Catch::Contains("snapshot-000002.h5"));
  CHECK(l.sequence == 1);
}

TEST_CASE("A directory without a run or with a broken first snapshot is refused", "[storage]") {
  TempDir tmp;
  CHECK_THROWS_WITH(storage::RunDirectory(tmp.path()).load(),
                    Catch::Contains("not a run directory"));
  Run run;
  fs::resize_file(run.dir.snapshot_path(0), 100);
  CHECK_THROWS_AS(run.dir.load(), storage::StorageError);
}

TEST_CASE("A run killed as it starts leaves a directory run --force may replace", "[storage]") {
  TempDir d;
  const std::string dir = d.file("run");
  std::filesystem::create_directories(dir);
  const evostream::storage::RunDirectory run(dir);
  // Empty: a user's new directory, or a run killed before it took its lock.
  CHECK(run.replaceable());
  CHECK_NOTHROW(run.check_replaceable("--out"));
  // What a run writes, in order, before its first snapshot.
  for (const char* name : {".lock", "scenario.toml.tmp", "scenario.toml", "events.jsonl"}) {
    evostream::testing::write_text(dir + "/" + name, "");
    INFO(name);
    CHECK(run.replaceable());
  }
  // A user's own scenario without a lock is theirs, not a run that was killed as it started.
  const std::string own = d.file("own");
  std::filesystem::create_directories(own);
  evostream::testing::write_text(own + "/scenario.toml", "name = \"mine\"\n");
  CHECK_FALSE(evostream::storage::RunDirectory(own).replaceable());
  // Anything else of the user's, before the events exist, keeps the directory.
  const std::string other = d.file("other");
  std::filesystem::create_directories(other);
  for (const char* name : {".lock", "scenario.toml", "notes.txt"})
    evostream::testing::write_text(other + "/" + name, "");
  const evostream::storage::RunDirectory mine(other);
  CHECK_FALSE(mine.replaceable());
  CHECK_THROWS_WITH(mine.check_replaceable("--out"),
                    Catch::Contains("--out names a directory that is not a run evostream wrote"));
}
