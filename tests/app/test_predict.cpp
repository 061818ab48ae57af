#include <signal.h>
#include <stb_image_write.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr int kSide = 16;

// A kSide × kSide grayscale image of class `c`: a bright row (0), column (1) or square (2) at
// a seeded place, on seeded noise.
std::vector<uint8_t> pattern(int c, uint64_t seed) {
  uint64_t x = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  auto next = [&] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>(x >> 33);
  };
  std::vector<uint8_t> img(kSide * kSide);
  for (auto& p : img)
    p = static_cast<uint8_t>(next() % 60);
  const int at = 3 + next() % 10;
  for (int i = 0; i < kSide; ++i) {
    if (c == 0)
      img[at * kSide + i] = 250;
    else if (c == 1)
      img[i * kSide + at] = 250;
    else if (i < 4)
      for (int j = 0; j < 4; ++j)
        img[(at - 2 + i) * kSide + at - 2 + j] = 250;
  }
  return img;
}

const std::vector<std::string> kClasses = {"column", "row", "square"};  // folder names, sorted

// pics/{train,test}/<class>/*.png (RGB PNG files of the patterns; class folder k holds pattern
// k: "column" holds rows, which does not matter to a classifier) and arrays/*.npy.
void write_datasets(const TempDir& dir) {
  std::vector<uint8_t> x_train, x_test, y_train, y_test;
  for (int split = 0; split < 2; ++split) {
    const int per_class = split == 0 ? 40 : 8;
    for (int c = 0; c < 3; ++c) {
      for (int i = 0; i < per_class; ++i) {
        const auto gray = pattern(c, static_cast<uint64_t>(1000 * split + 100 * c + i));
        std::vector<uint8_t> rgb;
        for (uint8_t v : gray)
          rgb.insert(rgb.end(), {v, v, v});
        const std::string folder =
            dir.file(std::string("pics/") + (split == 0 ? "train/" : "test/") + kClasses[c]);
        fs::create_directories(folder);
        const std::string file = folder + "/" + std::to_string(1000 + i) + ".png";
        REQUIRE(stbi_write_png(file.c_str(), kSide, kSide, 3, rgb.data(), kSide * 3) != 0);
        auto& x = split == 0 ? x_train : x_test;
        x.insert(x.end(), gray.begin(), gray.end());
        (split == 0 ? y_train : y_test).push_back(static_cast<uint8_t>(c));
      }
    }
  }
  fs::create_directories(dir.file("arrays"));
  const auto n = [](const std::vector<uint8_t>& y) { return static_cast<int64_t>(y.size()); };
  write_bytes(dir.file("arrays/x_train.npy"),
              npy_array_bytes("|u1", {n(y_train), kSide, kSide}, x_train));
  write_bytes(dir.file("arrays/y_train.npy"), npy_array_bytes("|u1", {n(y_train)}, y_train));
  write_bytes(dir.file("arrays/x_test.npy"),
              npy_array_bytes("|u1", {n(y_test), kSide, kSide}, x_test));
  write_bytes(dir.file("arrays/y_test.npy"), npy_array_bytes("|u1", {n(y_test)}, y_test));
  // The same test images as an IDX file (gzip'd), for predict's third input kind.
  std::vector<uint8_t> idx = {0, 0, 8, 3};
  for (uint32_t v : {static_cast<uint32_t>(y_test.size()), uint32_t{kSide}, uint32_t{kSide}})
    for (int shift = 24; shift >= 0; shift -= 8)
      idx.push_back(static_cast<uint8_t>(v >> shift));
  idx.insert(idx.end(), x_test.begin(), x_test.end());
  write_bytes(dir.file("arrays/x_test.idx.gz"), idx, true);
}

// The label column of predict's CSV.
std::vector<std::string> labels_of(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string v; std::getline(fields, v, ',');)
      f.push_back(v);
    out.push_back(f.at(2) + " " + f.at(3));
  }
  return out;
}

// Relative dataset paths: the run must keep working from its own directory.
const char* kScenario = R"(name = "own-data"
seed = 2
[datasets.pics]
kind = "images"
path = "pics"
[datasets.arrays]
kind = "npy"
path = "arrays"
classes = 3
class_names = ["row", "column", "square"]
[root]
source = "init"
[root.architecture]
name = "vit-micro"
image_size = 12
patch = 4
dim = 16
depth = 2
heads = 2
mlp = 32
[strategy]
name = "finetune"
task_steps = 60
batch_size = 16
validation_interval = 20
[[tasks]]
name = "pictures"
dataset = "pics"
[[tasks]]
name = "arrays-inverted"
dataset = "arrays"
invert = true
)";

int run_to_end(const std::vector<std::string>& args, const std::string& log,
               const std::string& env = "") {
  return wait_for(spawn(EVOSTREAM_BINARY, args, log, env));
}

// The share of CSV rows (file,index,label,class,probability) whose label is `truth(row)`.
template <typename Truth>
double accuracy(const std::string& csv, Truth truth, int64_t& rows) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "file,index,label,class,probability");
  int64_t right = 0;
  rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string v; std::getline(fields, v, ',');)
      f.push_back(v);
    REQUIRE(f.size() == 5);
    const double p = std::stod(f[4]);
    CHECK(p > 0.0);
    CHECK(p <= 1.0);
    right += std::stoll(f[2]) == truth(f[0], std::stoll(f[1]), f[3]);
    ++rows;
  }
  return static_cast<double>(right) / static_cast<double>(rows);
}

}  // namespace

TEST_CASE("Image folders and .npy arrays train, and predict gives the run's own classes",
          "[app][predict][datasets]") {
  TempDir dir;
  write_datasets(dir);
  write_text(dir.file("own.toml"), kScenario);
  const std::string run = dir.file("run");
  REQUIRE(run_to_end({"run", dir.file("own.toml"), "--out", run, "--quiet"}, dir.file("log")) == 0);
  // The copy names the datasets by absolute path.
  CHECK_THAT(slurp(run + "/scenario.toml"), Contains(dir.file("pics")));
  const auto results = nlohmann::json::parse(slurp(run + "/results.json"));

  SECTION("PNG files of the test folder get the accuracy the run measured") {
    std::vector<std::string> args = {"predict",  run,     "--task",
                                     "pictures", "--out", dir.file("preds.csv")};
    for (const auto& c : kClasses)
      for (const auto& e : fs::directory_iterator(dir.file("pics/test/" + c)))
        args.push_back(e.path().string());
    REQUIRE(run_to_end(args, dir.file("predict.log")) == 0);
    CHECK_THAT(slurp(dir.file("predict.log")), Contains("24 images from 24 file(s)"));
    int64_t rows = 0;
    const double acc = accuracy(
        slurp(dir.file("preds.csv")),
        [](const std::string& file, int64_t, const std::string& cls) {
          // The class column names the folder's class by the label it gives.
          const bool named = std::find(kClasses.begin(), kClasses.end(), cls) != kClasses.end();
          CHECK(named);
          for (int64_t k = 0; k < 3; ++k)
            if (file.find("/" + kClasses[static_cast<size_t>(k)] + "/") != std::string::npos)
              return k;
          return int64_t{-1};
        },
        rows);
    CHECK(rows == 24);
    CHECK(acc == Approx(results["tasks"][0]["test_accuracy"].get<double>()).margin(1e-9));
    CHECK(acc > 0.5);
  }

  SECTION("An .npy file gets the task's transforms and the accuracy the run measured") {
    const CliResult r =
        run_cli("predict " + run + " --task arrays-inverted " + dir.file("arrays/x_test.npy"));
    REQUIRE(r.status == 0);
    int64_t rows = 0;
    const double acc = accuracy(
        r.out,
        [](const std::string&, int64_t index, const std::string& cls) {
          const std::vector<std::string> names = {"row", "column", "square"};
          CHECK(std::find(names.begin(), names.end(), cls) != names.end());
          return index / 8;
        },
        rows);
    CHECK(rows == 24);
    CHECK(acc == Approx(results["tasks"][1]["test_accuracy"].get<double>()).margin(1e-9));
    // The same images as an IDX file get the same classes.
    const CliResult idx =
        run_cli("predict " + run + " --task arrays-inverted " + dir.file("arrays/x_test.idx.gz"));
    REQUIRE(idx.status == 0);
    CHECK(labels_of(idx.out) == labels_of(r.out));
    CHECK(labels_of(idx.out).size() == 24);
  }

  SECTION("Bad requests are refused with what was expected") {
    write_text(dir.file("notes.txt"), "not images");
    write_bytes(dir.file("rgb.npy"),
                npy_array_bytes("|u1", {1, kSide, kSide, 3}, std::vector<uint8_t>(768, 9)));
    struct Case {
      std::vector<std::string> args;
      std::string message;
    };
    const std::vector<Case> cases = {
        {{"--task", "nope", dir.file("arrays/x_test.npy")},
         "--task: expected a task of run " + run +
             " (pictures, arrays-inverted, or root), found \"nope\""},
        {{"--task", "pictures", dir.file("notes.txt")},
         "notes.txt: expected IDX images (magic 2051), a .npy array, or a .png/.jpg/.jpeg "
         "image, found another file"},
        {{"--task", "pictures", dir.file("rgb.npy")},
         "expected 1-channel images for task \"pictures\", found 3-channel ones"},
        {{"--task", "pictures", dir.file("arrays/y_test.npy")},
         "expected images of rank 3 (N×H×W) or 4"},
    };
    for (const auto& c : cases) {
      std::vector<std::string> args = {"predict", run};
      args.insert(args.end(), c.args.begin(), c.args.end());
      INFO(c.message);
      CHECK(run_to_end(args, dir.file("bad.log")) == 1);
      CHECK_THAT(slurp(dir.file("bad.log")), Contains(c.message));
    }
  }
}

TEST_CASE("predict refuses a task the run has not learned yet", "[app][predict]") {
  TempDir dir;
  write_datasets(dir);
  write_text(dir.file("own.toml"), kScenario);
  const std::string run = dir.file("run");
  REQUIRE(run_to_end({"run", dir.file("own.toml"), "--out", run, "--quiet"}, dir.file("log"),
                     "EVOSTREAM_KILL_IN_SNAPSHOT=2") == 128 + SIGKILL);
  CHECK(run_to_end({"predict", run, "--task", "arrays-inverted", dir.file("arrays/x_test.npy")},
                   dir.file("p.log")) == 1);
  CHECK_THAT(slurp(dir.file("p.log")), Contains("task \"arrays-inverted\" of run " + run +
                                                " is not learned yet (1 of 2 "
                                                "task visits committed; continue it with `") &&
                                           Contains("evostream resume " + run + "`)"));
}

TEST_CASE("The predefined mnist dataset reads the digits scripts/install-deps fetched",
          "[app][datasets]") {
  TempDir dir;
  write_text(dir.file("digits.toml"), R"(name = "digits"
[root]
source = "init"
[[tasks]]
name = "three-or-eight"
dataset = "mnist"
classes = [3, 8]
max_train = 200
max_test = 100
)");
  REQUIRE(run_to_end({"tasks", dir.file("digits.toml")}, dir.file("log")) == 0);
  CHECK_THAT(slurp(dir.file("log")), Contains("three-or-eight"));
  CHECK_THAT(slurp(dir.file("log")), Contains("3, 8"));
  // Elsewhere, the error says how to get them.
  CHECK(run_to_end({"tasks", dir.file("digits.toml")}, dir.file("log"),
                   "EVOSTREAM_MNIST=" + dir.file("absent")) == 1);
  CHECK_THAT(slurp(dir.file("log")), Contains("scripts/install-deps, or set EVOSTREAM_MNIST"));
}
