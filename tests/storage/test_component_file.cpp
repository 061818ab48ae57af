#include <ATen/ATen.h>
#include <hdf5.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "../model/model_fixtures.hpp"
#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/moe/moe_family.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/nn/vit/vit_function.hpp"
#include "model/train/evaluator.hpp"
#include "storage/component_file.hpp"
#include "storage/root_source.hpp"
#include "storage/storage_error.hpp"
#include "support/test_files.hpp"

using namespace evostream;
using Catch::Matchers::Contains;
using evostream::storage::ComponentFile;
using evostream::storage::RootSource;
using evostream::storage::StorageError;
using evostream::testing::micro_arch;
using evostream::testing::TempDir;

namespace {

// The group a component file gives component `c`: its id, '/' written as ':'.
std::string group_of(const model::Component& c) {
  std::string name = c.id();
  std::replace(name.begin(), name.end(), '/', ':');
  return name;
}

// Sets every value of the float dataset `dataset` (`values` of them) in the file at `path` to
// 1e30, in place.
void overwrite_huge(const std::string& path, const std::string& dataset, int64_t values) {
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t ds = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  std::vector<float> huge(static_cast<size_t>(values), 1e30f);
  H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, huge.data());
  H5Dclose(ds);
  H5Fclose(f);
}

// A micro root with non-zero heads and class token, so that every tensor matters.
std::vector<model::Component> random_root(uint64_t seed) {
  auto comps = model::VitFactory::root(micro_arch(), 3, "root", seed);
  at::manual_seed(static_cast<uint64_t>(seed));
  comps.back() = comps.back().with_tensors({at::randn({3, 16}), at::randn({3})});
  return comps;
}

// An HDF5 file with the given root attributes and nothing else.
void write_bare(const std::string& path, const char* format) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, std::strlen(format));
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(f, "format", type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, type, format);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(f);
}

// Zeroes the check block at the start of `path`, as after an edit through HDF5 that must reach
// the reader's own checks: the file then reads as one another tool wrote.
void unseal(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  const std::string zeros(512, '\0');
  f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
}

// A random root whose block 4 carries momentum traces of ones.
std::vector<model::Component> root_with_unit_momentum() {
  auto comps = random_root(3);
  std::vector<at::Tensor> traces;
  for (const auto& t : comps[4].tensors())
    traces.push_back(at::ones_like(t));
  comps[4] = comps[4].with_momentum(traces);
  return comps;
}

}  // namespace

TEST_CASE("Components round-trip through a component file bit for bit", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  auto comps = random_root(3);
  comps[4] = comps[4].clone("task/block1", "task");  // an owner and a parent to keep
  ComponentFile::write(path, micro_arch(), comps);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  const storage::ComponentSet back = ComponentFile::read(path);
  CHECK(back.architecture.dim == 16);
  CHECK(back.architecture.name == "vit-micro");
  REQUIRE(back.components.size() == comps.size());
  for (size_t i = 0; i < comps.size(); ++i) {
    INFO(comps[i].id());
    CHECK(back.components[i].id() == comps[i].id());
    CHECK(back.components[i].kind() == comps[i].kind());
    CHECK(back.components[i].index() == comps[i].index());
    CHECK(back.components[i].owner() == comps[i].owner());
    CHECK(back.components[i].parent() == comps[i].parent());
    CHECK(back.components[i].names() == comps[i].names());
    CHECK(back.components[i].content_hash() == comps[i].content_hash());
  }
  // Writing again replaces the file whole.
  ComponentFile::write(path, micro_arch(), {comps.front()});
  CHECK(ComponentFile::read(path).components.size() == 1);
}

TEST_CASE("An imported root predicts exactly as the exported one", "[storage]") {
  TempDir dir;
  const auto task = evostream::testing::synthetic_task("t", 4, 3);
  auto original = model::share(random_root(5));
  RootSource::export_root(dir.file("root.h5"), micro_arch(), [&] {
    std::vector<model::Component> v;
    for (const auto& h : original)
      v.push_back(*h);
    return v;
  }());
  auto imported = model::share(RootSource::import(dir.file("root.h5"), micro_arch()));
  auto predict = [&](const std::vector<std::shared_ptr<const model::Component>>& path) {
    return model::Evaluator::evaluate(*model::vit_family(2)->bind(model::pointers(path)), task.test)
        .predictions;
  };
  CHECK(predict(imported) == predict(original));
}

TEST_CASE("A moe-vit root is exported with its experts and imported to predict the same",
          "[storage][moe]") {
  TempDir dir;
  auto arch = micro_arch();
  arch.family = "moe-vit";
  arch.experts = 6;
  arch.top_k = 2;
  const auto original = model::share(model::MoeFactory::root(arch, 3, "root", 5));
  std::vector<model::Component> copies;
  for (const auto& h : original)
    copies.push_back(*h);
  RootSource::export_root(dir.file("root.h5"), arch, copies);
  const auto back = ComponentFile::read(dir.file("root.h5"));
  CHECK(back.architecture.family == "moe-vit");
  CHECK(back.architecture.experts == 6);
  CHECK(back.architecture.top_k == 2);
  CHECK(back.architecture.moe_every == 2);
  const auto imported = model::share(RootSource::import(dir.file("root.h5"), arch));
  const auto task = evostream::testing::synthetic_task("t", 4, 3);
  const model::MoeVitFamily family(arch.heads);
  auto predict = [&](const std::vector<std::shared_ptr<const model::Component>>& path) {
    return model::Evaluator::evaluate(*family.bind(model::pointers(path)), task.test).predictions;
  };
  CHECK(predict(imported) == predict(original));

  auto more = arch;
  more.experts = 8;
  CHECK_THROWS_WITH(
      RootSource::import(dir.file("root.h5"), more),
      Contains("/architecture: experts is 6 but the scenario's root.architecture has 8"));
  CHECK_THROWS_WITH(
      RootSource::import(dir.file("root.h5"), micro_arch()),
      Contains("/architecture: family is moe-vit but the scenario's root.architecture has vit"));
  auto attention = arch;
  attention.attention_experts = 4;
  CHECK_THROWS_WITH(
      RootSource::import(dir.file("root.h5"), attention),
      Contains("/architecture: attention_experts is 0 but the scenario's root.architecture has 4"));
  // With attention mixtures: recorded, and read back to predict the same.
  const auto mixed = model::share(model::MoeFactory::root(attention, 3, "root", 5));
  copies.clear();
  for (const auto& h : mixed)
    copies.push_back(*h);
  RootSource::export_root(dir.file("attention.h5"), attention, copies);
  CHECK(ComponentFile::read(dir.file("attention.h5")).architecture.attention_experts == 4);
  CHECK(predict(model::share(RootSource::import(dir.file("attention.h5"), attention))) ==
        predict(mixed));
  auto masked = arch;
  masked.family = "masked-fc";
  CHECK_THROWS_WITH(RootSource::import(dir.file("root.h5"), masked),
                    Contains("expected root.architecture.family \"vit\" or \"moe-vit\" to "
                             "import a root, found \"masked-fc\""));
}

TEST_CASE("Reading a missing or foreign file names it", "[storage]") {
  TempDir dir;
  CHECK_THROWS_WITH(ComponentFile::read(dir.file("absent.h5")),
                    Contains("absent.h5: file not found"));
  evostream::testing::write_text(dir.file("text.h5"), "not hdf5");
  CHECK_THROWS_WITH(ComponentFile::read(dir.file("text.h5")),
                    Contains("text.h5: expected an HDF5 file, found something else"));
  write_bare(dir.file("other.h5"), "something-else");
  CHECK_THROWS_WITH(
      ComponentFile::read(dir.file("other.h5")),
      Contains("/: expected format \"evostream-components\", found \"something-else\""));
  write_bare(dir.file("noversion.h5"), "evostream-components");
  CHECK_THROWS_WITH(ComponentFile::read(dir.file("noversion.h5")),
                    Contains("expected an integer attribute version, found none"));
  CHECK_THROWS_WITH(ComponentFile::write(dir.file("no/such/dir/x.h5"), micro_arch(), {}),
                    Contains("no/such/dir/x.h5: cannot create") &&
                        Contains("x.h5.tmp: No such file or directory"));
}

TEST_CASE("Momentum traces round-trip through a component file", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  auto comps = random_root(3);
  at::manual_seed(9);
  std::vector<at::Tensor> traces;
  for (const auto& t : comps[4].tensors())
    traces.push_back(at::randn(t.sizes()));
  comps[4] = comps[4].clone("task/block1", "task").with_momentum(traces);
  ComponentFile::write(path, micro_arch(), comps);
  const storage::ComponentSet back = ComponentFile::read(path);
  REQUIRE(back.components.size() == comps.size());
  CHECK(back.components[3].momentum().empty());
  CHECK(back.components[4].names() == comps[4].names());
  REQUIRE(back.components[4].momentum().size() == traces.size());
  for (size_t i = 0; i < traces.size(); ++i)
    CHECK(back.components[4].momentum()[i].equal(traces[i]));
}

TEST_CASE("Adam's carried state round-trips through a component file and has a checksum",
          "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  auto comps = random_root(3);
  at::manual_seed(11);
  std::vector<at::Tensor> first;
  std::vector<at::Tensor> second;
  for (const auto& t : comps[4].tensors()) {
    first.push_back(at::randn(t.sizes()));
    second.push_back(at::rand(t.sizes()));
  }
  comps[4] = comps[4].clone("task/block1", "task").with_adam_state(first, second, 94);
  ComponentFile::write(path, micro_arch(), comps);
  const storage::ComponentSet back = ComponentFile::read(path);
  const model::Component& c = back.components[4];
  CHECK(c.optimizer_steps() == 94);
  REQUIRE(c.second_moment().size() == second.size());
  for (size_t i = 0; i < second.size(); ++i) {
    CHECK(c.momentum()[i].equal(first[i]));
    CHECK(c.second_moment()[i].equal(second[i]));
  }
  CHECK(c.momentum_hash() == comps[4].momentum_hash());
  CHECK(comps[4].momentum_hash() !=
        comps[4].with_momentum({}).with_momentum(first).momentum_hash());
  CHECK(back.components[3].second_moment().empty());
  // A second moment changed in place fails the traces' checksum.
  overwrite_huge(path,
                 "/components/" + group_of(comps[4]) + "/second_moment/" + comps[4].names()[0],
                 comps[4].tensors()[0].numel());
  unseal(path);
  CHECK_THROWS_WITH(ComponentFile::read(path), Contains("momentum checksum mismatch"));
}

TEST_CASE("A component refuses Adam's state of the wrong shape or without steps", "[storage]") {
  const auto comps = random_root(3);
  const model::Component& c = comps[4];
  std::vector<at::Tensor> zeros;
  for (const auto& t : c.tensors())
    zeros.push_back(at::zeros(t.sizes()));
  CHECK_THROWS_WITH(c.with_adam_state(zeros, zeros, 0),
                    Contains("a step count of at least 1, found " + std::to_string(zeros.size()) +
                             " first, " + std::to_string(zeros.size()) +
                             " second moments and 0 "
                             "steps"));
  std::vector<at::Tensor> wrong = zeros;
  wrong[0] = at::zeros({1});
  CHECK_THROWS_WITH(c.with_adam_state(zeros, wrong, 3),
                    Contains("the second moment of tensor " + c.names()[0] + " has shape 1"));
  // Dropping the first moments drops the second with them.
  const model::Component carried = c.with_adam_state(zeros, zeros, 3);
  CHECK(carried.clone("x/block1", "x").optimizer_steps() == 3);
  CHECK(carried.with_momentum({}).second_moment().empty());
  CHECK(carried.with_momentum({}).optimizer_steps() == 0);
}

TEST_CASE("A momentum trace missing from a file is reported with its path", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  const auto comps = root_with_unit_momentum();
  ComponentFile::write(path, micro_arch(), comps);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const std::string gone = "/components/" + group_of(comps[4]) + "/momentum/" + comps[4].names()[0];
  H5Ldelete(f, gone.c_str(), H5P_DEFAULT);
  H5Fclose(f);
  unseal(path);
  CHECK_THROWS_WITH(ComponentFile::read(path),
                    Contains(gone + ": expected a tensor dataset, found another object"));
  // One trace too many.
  ComponentFile::write(path, micro_arch(), comps);
  f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  hsize_t dims[1] = {1};
  hid_t space = H5Screate_simple(1, dims, nullptr);
  hid_t ds = H5Dcreate2(f, ("/components/" + group_of(comps[4]) + "/momentum/extra").c_str(),
                        H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(ds);
  H5Sclose(space);
  H5Fclose(f);
  unseal(path);
  CHECK_THROWS_WITH(ComponentFile::read(path),
                    Contains("/components/" + group_of(comps[4]) + "/momentum: expected " +
                             std::to_string(comps[4].names().size()) + " momentum traces, found " +
                             std::to_string(comps[4].names().size() + 1)));
}

TEST_CASE("A corrupted momentum trace fails its own checksum", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  const auto comps = root_with_unit_momentum();
  ComponentFile::write(path, micro_arch(), comps);
  CHECK(ComponentFile::read(path).components[4].momentum_hash() == comps[4].momentum_hash());
  // Every value of the first trace set to 1e30, in place: the tensors' checksum cannot see it.
  overwrite_huge(path, "/components/" + group_of(comps[4]) + "/momentum/" + comps[4].names()[0],
                 comps[4].tensors()[0].numel());
  // The whole-file check sees it first; without it, the traces' own checksum does.
  CHECK_THROWS_WITH(ComponentFile::read(path), Contains("whole-file checksum mismatch"));
  unseal(path);
  CHECK_THROWS_WITH(
      ComponentFile::read(path),
      Contains("/components/" + group_of(comps[4]) + "/momentum (" + comps[4].id() +
               "): momentum checksum mismatch: expected " + comps[4].momentum_hash()));
}

TEST_CASE("A tensor stored with the wrong type is reported with its path", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  const auto comps = random_root(1);
  ComponentFile::write(path, micro_arch(), comps);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ldelete(f, ("/components/" + group_of(comps[6]) + "/bias").c_str(), H5P_DEFAULT);
  hsize_t dims[1] = {3};
  hid_t space = H5Screate_simple(1, dims, nullptr);
  hid_t ds = H5Dcreate2(f, ("/components/" + group_of(comps[6]) + "/bias").c_str(), H5T_IEEE_F64LE,
                        space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const double zeros[3] = {0, 0, 0};
  H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros);
  H5Dclose(ds);
  H5Sclose(space);
  H5Fclose(f);
  unseal(path);
  CHECK_THROWS_WITH(
      ComponentFile::read(path),
      Contains("/components/" + group_of(comps[6]) +
               "/bias: expected float32, uint8 or int64 data, found floats of 8 bytes"));
}

TEST_CASE("A file evostream wrote is checked whole before HDF5 reads it", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  ComponentFile::write(path, micro_arch(), random_root(2));
  const auto size = std::filesystem::file_size(path);
  const auto edit = [&](std::streamoff at, const std::string& bytes) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(at);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  CHECK(ComponentFile::read(path, "evostream-components", true).components.size() == 7);
  edit(static_cast<std::streamoff>(size / 2), "\x5a\x5a");
  CHECK_THROWS_WITH(ComponentFile::read(path), Contains("root.h5: whole-file checksum mismatch") &&
                                                   Contains("HDF5 was not given it"));
  ComponentFile::write(path, micro_arch(), random_root(2));
  std::filesystem::resize_file(path, size - 100);
  CHECK_THROWS_WITH(ComponentFile::read(path),
                    Contains("truncated or extended: the check block says " + std::to_string(size) +
                             " bytes, found " + std::to_string(size - 100)));
  ComponentFile::write(path, micro_arch(), random_root(2));
  edit(18, "siez");
  CHECK_THROWS_WITH(ComponentFile::read(path),
                    Contains("expected the check block (size and hash), found it damaged"));
  // Without the block: read as another tool's file, unless the caller requires the check.
  ComponentFile::write(path, micro_arch(), random_root(2));
  unseal(path);
  CHECK(ComponentFile::read(path).components.size() == 7);
  CHECK_THROWS_WITH(ComponentFile::read(path, "evostream-components", true),
                    Contains("expected a file evostream wrote (it begins with its check block)"));
}

TEST_CASE("Importing a root checks it against the scenario's architecture", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  ComponentFile::write(path, micro_arch(), random_root(1));
  CHECK(RootSource::import(path, micro_arch()).size() == 7);

  auto wider = micro_arch();
  wider.mlp = 64;
  CHECK_THROWS_WITH(
      RootSource::import(path, wider),
      Contains("/architecture: mlp is 32 but the scenario's root.architecture has 64"));

  // Components of another shape under a matching architecture record.
  ComponentFile::write(path, wider, random_root(1));
  CHECK_THROWS_WITH(RootSource::import(path, wider),
                    Contains("/components/3 (root/block0)/mlp.fc1.weight: expected shape [64, 16], "
                             "found [32, 16]"));

  auto foreign = random_root(1);
  foreign[0] = foreign[0].clone("task/patch_embedding", "task");
  ComponentFile::write(path, micro_arch(), foreign);
  CHECK_THROWS_WITH(RootSource::import(path, micro_arch()),
                    Contains("expected owner root, found task"));
}

TEST_CASE("Component groups are named by id and strings are stored as h5py's str", "[storage]") {
  TempDir dir;
  const std::string path = dir.file("root.h5");
  const auto comps = random_root(2);
  ComponentFile::write(path, micro_arch(), comps);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  for (const auto& c : comps)
    CHECK(H5Lexists(f, ("/components/" + group_of(c)).c_str(), H5P_DEFAULT) > 0);
  hid_t g = H5Gopen2(f, ("/components/" + group_of(comps[3])).c_str(), H5P_DEFAULT);
  hid_t attr = H5Aopen(g, "id", H5P_DEFAULT);
  hid_t type = H5Aget_type(attr);
  CHECK(H5Tis_variable_str(type) > 0);  // h5py reads variable-length UTF-8 as str
  CHECK(H5Tget_cset(type) == H5T_CSET_UTF8);
  H5Tclose(type);
  H5Aclose(attr);
  H5Gclose(g);
  H5Fclose(f);
  const auto back = ComponentFile::read(path);
  REQUIRE(back.components.size() == comps.size());
  for (size_t i = 0; i < comps.size(); ++i)
    CHECK(back.components[i].id() == comps[i].id());  // in path order
}

TEST_CASE("Files of the earlier layout (groups by position, fixed-length strings) still read",
          "[storage]") {
  // A snapshot written before groups were named by id: the fuzz corpus keeps one.
  const std::string old =
      std::string(EVOSTREAM_SOURCE_DIR) + "/tests/fuzz/corpus/snapshot/smoke-snapshot-0.h5";
  hid_t f = H5Fopen(old.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  CHECK(H5Lexists(f, "/components/0", H5P_DEFAULT) > 0);
  H5Fclose(f);
  const auto set = ComponentFile::read(old, "evostream-snapshot");
  REQUIRE(set.components.size() == 7);  // the smoke root: depth 2
  CHECK(set.components.front().id() == "root/patch_embedding");
  CHECK(set.components.back().kind() == model::ComponentKind::kHead);
  CHECK(set.texts.count("state") == 1);
}
