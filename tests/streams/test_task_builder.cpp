#include <catch2/catch.hpp>
#include <filesystem>

#include "common/content_hash.hpp"
#include "common/data_error.hpp"
#include "config/scenario_parser.hpp"
#include "streams/batch_sampler.hpp"
#include "streams/task_builder.hpp"
#include "support/test_files.hpp"

using namespace evostream::streams;
using namespace evostream::config;
using namespace evostream::common;
using Catch::Matchers::Contains;
using evostream::testing::minimal_scenario;
using evostream::testing::TempDir;

namespace {

// Hashes a scenario's tasks and the first batches each task's sampler draws.
std::string stream_hash(const std::string& text) {
  const Scenario s = ScenarioParser::parse_string(text, "mem.toml");
  TaskBuilder builder(s);
  ContentHash h;
  for (const auto& t : builder.build_all()) {
    h.update(t.content_hash());
    BatchSampler sampler(t.train, 8, s.seed);
    for (int b = 0; b < 5; ++b)
      h.update(sampler.next_indices());
  }
  return h.hex();
}

const std::string kStream = minimal_scenario(R"(
[[tasks]]
name = "t2"
dataset = "syn"
classes = [2, 0]
rotate = 30
permute_seed = 4
shots = 6
max_test = 7
image_size = 10

[[tasks]]
name = "t3"
dataset = "syn"
invert = true
validation_fraction = 0.25
max_train = 40
)");

}  // namespace

TEST_CASE("The same scenario and seed give the same tasks and splits and batch order",
          "[streams]") {
  CHECK(stream_hash(kStream) == stream_hash(kStream));
  std::string reseeded = kStream;
  reseeded.replace(reseeded.find("seed = 7"), 8, "seed = 8");
  CHECK(stream_hash(reseeded) != stream_hash(kStream));
}

TEST_CASE("A task does not change when other tasks join the stream", "[streams]") {
  const Scenario small = ScenarioParser::parse_string(minimal_scenario(), "a.toml");
  const Scenario big = ScenarioParser::parse_string(kStream, "b.toml");
  CHECK(TaskBuilder(small).build(small.tasks[0]).content_hash() ==
        TaskBuilder(big).build(big.tasks[0]).content_hash());
}

TEST_CASE("Task transforms and splits are applied as the spec says", "[streams]") {
  const Scenario s = ScenarioParser::parse_string(kStream, "b.toml");
  TaskBuilder builder(s);
  const auto tasks = builder.build_all();
  REQUIRE(tasks.size() == 3);
  const TaskData& plain = tasks[0];
  CHECK(plain.num_classes == 4);
  CHECK(plain.train.size() + plain.validation.size() == 80);  // 20 per class
  CHECK(plain.test.size() == 20);
  CHECK(plain.validation.label_counts(4) == std::vector<int64_t>(4, 2));

  const TaskData& t2 = tasks[1];
  CHECK(t2.num_classes == 2);
  CHECK(t2.class_names == std::vector<std::string>{"class 2", "class 0"});
  CHECK(t2.train.size() + t2.validation.size() == 12);  // 6 shots × 2 classes
  CHECK(t2.test.size() == 7);
  CHECK(t2.train.height() == 10);
  CHECK(t2.test.width() == 10);

  const TaskData& t3 = tasks[2];
  CHECK(t3.train.size() + t3.validation.size() == 40);
  // max_train draws at random, so classes are uneven: each gives round(25%) of what it has.
  const auto val = t3.validation.label_counts(4);
  const auto tr = t3.train.label_counts(4);
  for (size_t k = 0; k < 4; ++k) {
    CHECK(val[k] == std::max<int64_t>(1, std::llround(0.25 * static_cast<double>(val[k] + tr[k]))));
  }
}

TEST_CASE("Validation never draws from the test split", "[streams]") {
  const Scenario s = ScenarioParser::parse_string(minimal_scenario(), "a.toml");
  const TaskData t = TaskBuilder(s).build(s.tasks[0]);
  const Dataset d = DatasetRegistry::load(*s.find_dataset("syn"));
  CHECK(t.test.pixels() == d.test.pixels());
  // Every validation image is one of the training images of the source.
  for (int64_t i = 0; i < t.validation.size(); ++i) {
    bool found = false;
    for (int64_t j = 0; j < d.train.size() && !found; ++j) {
      found = std::equal(t.validation.image(i), t.validation.image(i) + t.validation.image_numel(),
                         d.train.image(j));
    }
    CHECK(found);
  }
}

TEST_CASE("A dataset directory that is missing or broken gives a DataError", "[streams]") {
  TempDir dir;
  std::string text = minimal_scenario() + "\n[datasets.digits]\nkind = \"idx\"\npath = \"" +
                     dir.file("absent") + "\"\n";
  text += "[[tasks]]\nname = \"d\"\ndataset = \"digits\"\n";
  const Scenario s = ScenarioParser::parse_string(text, "a.toml");
  TaskBuilder builder(s);
  CHECK_THROWS_WITH(
      builder.build(s.tasks[1]),
      Contains("dataset \"digits\": expected a directory of IDX files, found nothing"));

  std::filesystem::create_directory(dir.file("absent"));
  evostream::testing::write_idx_dataset(dir.file("absent"), 30, 10, 10);
  CHECK(builder.build(s.tasks[1]).train.size() == 20);  // 3 per class, 1 of each held out

  evostream::testing::write_bytes(dir.file("absent/t10k-labels-idx1-ubyte.gz"),
                                  evostream::testing::idx_label_bytes({1, 2}), true);
  CHECK_THROWS_WITH(TaskBuilder(s).build(s.tasks[1]), Contains("expected 10 labels"));
}

TEST_CASE("A slice of Fashion-MNIST builds into a task with named classes", "[streams]") {
  REQUIRE(std::filesystem::is_directory(default_fashion_mnist_dir()));
  const std::string text = R"(name = "f"
[root]
source = "import"
file = "r.h5"
[[tasks]]
name = "footwear"
dataset = "fashion-mnist"
classes = [5, 7, 9]
max_train = 600
max_test = 300
rotate = 90
)";
  const Scenario s = ScenarioParser::parse_string(text, "f.toml");
  const TaskData t = TaskBuilder(s).build(s.tasks[0]);
  CHECK(t.num_classes == 3);
  CHECK(t.class_names == std::vector<std::string>{"Sandal", "Sneaker", "Ankle boot"});
  CHECK(t.train.size() + t.validation.size() == 600);
  CHECK(t.test.size() == 300);
  CHECK(t.train.height() == 28);
  for (int64_t l : t.test.labels())
    CHECK((l >= 0 && l < 3));
}

TEST_CASE("Images the model cannot take are refused when the task is built", "[streams]") {
  TempDir dir;
  const std::string d = dir.file("wide");
  std::filesystem::create_directory(d);
  std::vector<uint8_t> labels(12);
  for (size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<uint8_t>(i % 2);
  for (const char* split : {"train", "t10k"}) {
    evostream::testing::write_bytes(d + "/" + split + "-images-idx3-ubyte.gz",
                                    evostream::testing::idx_image_bytes(12, 28, 20, 1), true);
    evostream::testing::write_bytes(d + "/" + split + "-labels-idx1-ubyte.gz",
                                    evostream::testing::idx_label_bytes(labels), true);
  }
  const std::string wide = "\n[datasets.wide]\nkind = \"idx\"\nclasses = 2\npath = \"" + d +
                           "\"\n[[tasks]]\nname = \"w\"\ndataset = \"wide\"\n";
  const Scenario s = ScenarioParser::parse_string(minimal_scenario(wide), "a.toml");
  CHECK_THROWS_WITH(TaskBuilder(s).build(s.tasks[1]),
                    Contains("a.toml: task \"w\" (line") &&
                        Contains("expected square images (the model's patch grid is square), "
                                 "found 28×20 in dataset \"wide\"; set the task's image_size"));
  // Resized, the same images are taken.
  const Scenario resized =
      ScenarioParser::parse_string(minimal_scenario(wide + "image_size = 8\n"), "a.toml");
  CHECK(TaskBuilder(resized).build(resized.tasks[1]).train.width() == 8);

  std::string big_patch = minimal_scenario("image_size = 4\n");
  big_patch.replace(big_patch.find("image_size = 8, patch = 2"), 25, "image_size = 8, patch = 8");
  const Scenario tiny = ScenarioParser::parse_string(big_patch, "a.toml");
  CHECK_THROWS_WITH(TaskBuilder(tiny).build(tiny.tasks[0]),
                    Contains("expected images of at least the patch side 8, found 4×4"));
}
