#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "common/config_error.hpp"
#include "config/scenario_parser.hpp"
#include "support/test_files.hpp"

using Catch::Matchers::Contains;
using evostream::common::ConfigError;
using evostream::config::RootSpec;
using evostream::config::Scenario;
using evostream::config::ScenarioParser;

namespace {

constexpr const char* kFile = "test.toml";

// A scenario that sets every key, rendered from sections so one key can be overridden or removed.
// Section "tasks" is the first [[tasks]] entry; a second, plain entry follows it.
class ScenarioDoc {
 public:
  using Keys = std::vector<std::pair<std::string, std::string>>;

  ScenarioDoc() {
    sections_ = {
        {"", {{"name", "\"mini\""}, {"seed", "7"}, {"description", "\"a test\""}}},
        {"datasets.syn",
         {{"kind", "\"synthetic\""},
          {"classes", "4"},
          {"channels", "1"},
          {"image_size", "8"},
          {"train_per_class", "20"},
          {"test_per_class", "5"},
          {"noise", "0.1"},
          {"max_shift", "1"},
          {"seed", "3"}}},
        {"datasets.digits",
         {{"kind", "\"idx\""},
          {"path", "\"data/digits\""},
          {"train_images", "\"a.gz\""},
          {"train_labels", "\"b.gz\""},
          {"test_images", "\"c.gz\""},
          {"test_labels", "\"d.gz\""},
          {"classes", "3"},
          {"class_names", "[\"x\", \"y\", \"z\"]"}}},
        {"datasets.arr",
         {{"kind", "\"npy\""},
          {"path", "\"data/arrays\""},
          {"train_images", "\"xa.npy\""},
          {"channels", "1"},
          {"layout", "\"nhwc\""},
          {"classes", "2"},
          {"class_names", "[\"p\", \"q\"]"}}},
        {"datasets.pics",
         {{"kind", "\"images\""},
          {"path", "\"" + std::string(EVOSTREAM_SOURCE_DIR) + "/tests/streams/data/images\""},
          {"channels", "1"},
          {"image_size", "8"},
          {"test_fraction", "0.3"},
          {"split_seed", "4"}}},
        {"datasets.c10", {{"kind", "\"cifar10\""}, {"path", "\"/data/cifar10\""}}},
        {"datasets.c100",
         {{"kind", "\"cifar100\""}, {"path", "\"/data/c100\""}, {"coarse", "true"}}},
        {"root",
         {{"source", "\"train\""},
          {"steps", "10"},
          {"batch_size", "8"},
          {"learning_rate", "0.01"}}},
        {"root.architecture",
         {{"name", "\"vit-mini\""},
          {"image_size", "8"},
          {"channels", "1"},
          {"patch", "2"},
          {"dim", "16"},
          {"depth", "1"},
          {"heads", "2"},
          {"mlp", "16"}}},
        {"root.pretrain", {{"name", "\"pre\""}, {"dataset", "\"syn\""}}},
        {"strategy",
         {{"name", "\"mu2net\""},
          {"task_steps", "120"},
          {"batch_size", "16"},
          {"validation_interval", "10"},
          {"scale_factor", "0.9"}}},
        {"strategy.mu2net", {{"generations", "2"}, {"children", "3"}}},
        {"strategy.finetune", {{"models", "2"}, {"note", "\"kept as written\""}}},
        {"run", {{"iterations", "1"}, {"concurrent_tasks", "2"}}},
        {"trainers", {{"count", "2"}, {"device", "\"cpu\""}, {"threads", "1"}}},
        {"tasks",
         {{"name", "\"t1\""},
          {"dataset", "\"syn\""},
          {"classes", "[0, 2]"},
          {"permute_seed", "5"},
          {"rotate", "90"},
          {"invert", "true"},
          {"shots", "5"},
          {"image_size", "12"},
          {"validation_fraction", "0.2"},
          {"max_train", "50"},
          {"max_test", "10"},
          {"delay", "0.5"}}},
    };
  }

  /// Sets `section.key` to the TOML `value`; an empty value removes the key.
  ScenarioDoc& set(const std::string& section, const std::string& key, const std::string& value) {
    for (auto& [name, keys] : sections_) {
      if (name != section)
        continue;
      for (auto it = keys.begin(); it != keys.end(); ++it) {
        if (it->first == key) {
          if (value.empty()) {
            keys.erase(it);
          } else {
            it->second = value;
          }
          return *this;
        }
      }
      keys.emplace_back(key, value);
      return *this;
    }
    FAIL("no section " << section);
    return *this;
  }

  /// The rendered text; `line_of(section, key)` is valid after this.
  std::string text() {
    std::string out;
    int line = 1;
    lines_.clear();
    for (const auto& [name, keys] : sections_) {
      if (!name.empty()) {
        out += name == "tasks" ? "[[tasks]]\n" : "[" + name + "]\n";
        ++line;
      }
      for (const auto& [k, v] : keys) {
        out += k + " = " + v + "\n";
        lines_[name + "." + k] = line++;
      }
    }
    out += "[[tasks]]\nname = \"t2\"\ndataset = \"syn\"\n";
    return out;
  }

  int line_of(const std::string& section, const std::string& key) const {
    return lines_.at(section + "." + key);
  }

 private:
  std::vector<std::pair<std::string, Keys>> sections_;
  std::map<std::string, int> lines_;
};

Scenario parse(const std::string& text) {
  return ScenarioParser::parse_string(text, kFile);
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

struct KeyCase {
  std::string section;
  std::string key;
  std::string valid;
  std::string invalid;
  std::string expected;  // part of the error message
};

std::string dotted(const std::string& section, const std::string& key) {
  if (section.empty())
    return key;
  if (section == "tasks")
    return "tasks[0]." + key;
  return section + "." + key;
}

}  // namespace

TEST_CASE("The full test scenario parses with every key set", "[config]") {
  ScenarioDoc doc;
  const Scenario s = parse(doc.text());
  CHECK(s.name == "mini");
  CHECK(s.seed == 7);
  CHECK(s.description == "a test");
  REQUIRE(s.tasks.size() == 2);
  const auto& t = s.tasks[0];
  CHECK(t.classes == std::vector<int64_t>{0, 2});
  CHECK(t.permute_seed == 5u);
  CHECK(t.rotate_degrees == 90.0);
  CHECK(t.invert);
  CHECK(t.shots == 5);
  CHECK(t.image_size == 12);
  CHECK(t.validation_fraction == 0.2);
  CHECK(t.max_train == 50);
  CHECK(t.max_test == 10);
  CHECK(t.delay_seconds == 0.5);
  CHECK(t.line == doc.line_of("tasks", "name") - 1);
  CHECK(s.run.concurrent_tasks == 2);
  CHECK(s.run.iterations == 1);
  CHECK(s.strategy.task_steps == 120);
  CHECK(s.strategy.scale_factor == 0.9);
  // Each strategy's own table is kept as written, for its options to read.
  REQUIRE(s.strategy.options.size() == 2);
  const auto finetune = s.strategy.options_of("finetune");
  CHECK(finetune.present);
  CHECK(finetune.prefix == "strategy.finetune");
  REQUIRE(finetune.entries.size() == 2);
  CHECK(std::get<int64_t>(finetune.find("models")->value) == 2);
  CHECK(finetune.find("models")->line == doc.line_of("strategy.finetune", "models"));
  CHECK(std::get<std::string>(finetune.find("note")->value) == "kept as written");
  CHECK_FALSE(s.strategy.options_of("sequential").present);
  CHECK(s.trainers.count == 2);
  CHECK(s.root.architecture.patch == 2);
  REQUIRE(s.root.pretrain.has_value());
  CHECK(s.root.pretrain->dataset == "syn");
  const auto* digits = s.find_dataset("digits");
  REQUIRE(digits != nullptr);
  CHECK(digits->class_names.size() == 3);
  CHECK(digits->path == "data/digits");  // relative to the scenario file's directory
  CHECK(s.find_dataset("c100")->coarse);
  CHECK(s.find_dataset("fashion-mnist") != nullptr);  // predefined
}

TEST_CASE("Defaults apply when optional keys are left out", "[config]") {
  const Scenario s = parse(evostream::testing::minimal_scenario());
  CHECK(s.seed == 7);
  CHECK(s.strategy.name == "mu2net");
  CHECK(s.strategy.task_steps == 3200);
  CHECK(s.strategy.options.empty());
  CHECK(s.run.iterations == 1);
  CHECK(s.run.concurrent_tasks == 1);
  CHECK(s.strategy.scale_factor == 1.0);
  CHECK(s.trainers.device == "cpu");
  CHECK(s.trainers.threads == 1);
  CHECK(s.root.steps == 2000);
  CHECK(s.tasks[0].validation_fraction == 0.1);
  CHECK_FALSE(s.tasks[0].permute_seed.has_value());
}

TEST_CASE("Every key accepts a valid value and rejects an invalid one naming file and line and key",
          "[config]") {
  const std::vector<KeyCase> cases = {
      {"", "name", "\"other\"", "3", "expected a string, found the integer 3"},
      {"", "seed", "123", "-1", "expected an integer in 0.."},
      {"", "description", "\"text\"", "false", "expected a string"},
      {"datasets.syn", "kind", "\"synthetic\"", "\"png\"", "expected one of idx, cifar10"},
      {"datasets.syn", "classes", "10", "1", "expected an integer in 2..1000, found 1"},
      {"datasets.syn", "channels", "1", "9", "expected an integer in 1..4"},
      {"datasets.syn", "image_size", "16", "2", "expected an integer in 4..512"},
      {"datasets.syn", "train_per_class", "30", "0", "expected an integer in 1..100000"},
      {"datasets.syn", "test_per_class", "30", "\"many\"", "expected an integer, found the string"},
      {"datasets.syn", "noise", "0", "1.5", "expected a number in [0, 1], found 1.5"},
      {"datasets.syn", "max_shift", "4", "5", "expected an integer in 0..4"},
      {"datasets.syn", "seed", "0", "1.5", "expected an integer, found the number 1.5"},
      {"datasets.digits", "kind", "\"idx\"", "\"\"", "expected a non-empty string"},
      {"datasets.digits", "path", "\"/elsewhere\"", "[1]", "expected a string, found an array"},
      {"datasets.digits", "train_images", "\"x.gz\"", "1", "expected a string"},
      {"datasets.digits", "train_labels", "\"x.gz\"", "1", "expected a string"},
      {"datasets.digits", "test_images", "\"x.gz\"", "1", "expected a string"},
      {"datasets.digits", "test_labels", "\"x.gz\"", "1", "expected a string"},
      {"datasets.digits", "classes", "3", "1", "expected an integer in 2..65536"},
      {"datasets.digits", "class_names", "[\"a\", \"b\", \"c\"]", "[\"a\", \"b\"]",
       "expected 3 names (one per class), found 2"},
      {"datasets.arr", "path", "\"/data/y\"", "2", "expected a string, found the integer 2"},
      {"datasets.arr", "channels", "3", "5", "expected an integer in 1..4, found 5"},
      {"datasets.arr", "layout", "\"nchw\"", "\"hwc\"",
       "expected one of auto, nhwc, nchw, found \"hwc\""},
      {"datasets.arr", "classes", "2", "1", "expected an integer in 2..65536"},
      {"datasets.arr", "class_names", "[\"a\", \"b\"]", "[\"a\"]",
       "expected 2 names (one per class), found 1"},
      {"datasets.pics", "path", "\"" + std::string(EVOSTREAM_SOURCE_DIR) + "/tests/streams/data\"",
       "\"/nonexistent/pics\"",
       "/nonexistent/pics: expected a directory with one folder of images per class, found "
       "nothing"},
      {"datasets.pics", "channels", "3", "0", "expected an integer in 1..4, found 0"},
      {"datasets.pics", "image_size", "12", "0", "expected an integer in 1..4096, found 0"},
      {"datasets.pics", "test_fraction", "0.5", "1", "expected a share below 1, found 1"},
      {"datasets.pics", "split_seed", "9", "-1", "expected an integer in 0.."},
      {"datasets.c10", "path", "\"/data/x\"", "true", "expected a string, found true"},
      {"datasets.c100", "coarse", "false", "\"yes\"", "expected true or false"},
      {"root", "source", "\"train\"", "\"download\"", "expected one of train, import"},
      {"root", "steps", "5", "0", "expected an integer in 1..10000000, found 0"},
      {"root", "batch_size", "4", "-8", "expected an integer in 1..65536"},
      {"root", "learning_rate", "0.5", "0", "expected a number in (0, 10], found 0"},
      {"root.architecture", "name", "\"vit-small\"", "7", "expected a string"},
      {"root.architecture", "image_size", "16", "9", "expected a divisor of image_size 9"},
      {"root.architecture", "channels", "1", "0", "expected an integer in 1..4"},
      {"root.architecture", "patch", "4", "3", "expected a divisor of image_size 8, found 3"},
      {"root.architecture", "dim", "32", "17", "expected a divisor of dim 17"},
      {"root.architecture", "depth", "3", "0", "expected an integer in 1..64"},
      {"root.architecture", "heads", "4", "3", "expected a divisor of dim 16, found 3"},
      {"root.architecture", "mlp", "64", "0", "expected an integer in 1..16384"},
      {"root.pretrain", "name", "\"pre2\"", "\"\"", "expected a non-empty string"},
      {"root.pretrain", "dataset", "\"syn\"", "\"nope\"", "unknown dataset \"nope\""},
      // The name is checked against the strategy registry (tests/model/test_strategy_registry).
      {"strategy", "name", "\"finetune\"", "\"\"", "expected a non-empty string"},
      {"strategy", "task_steps", "60", "0", "expected an integer in 1..1000000000"},
      {"strategy", "batch_size", "32", "0", "expected an integer in 1..65536"},
      {"strategy", "validation_interval", "5", "-1", "expected an integer in 1..10000000"},
      {"strategy", "scale_factor", "1", "1.2", "expected a number in (0, 1], found 1.2"},
      {"strategy", "scale_factor", "0.5", "nan", "expected a number in (0, 1], found nan"},
      {"strategy.mu2net", "children", "3", "[1]",
       "expected a number, true or false, or a string, found an array"},
      // 1: the document evolves two tasks at once, which excludes iterations > 1.
      {"run", "iterations", "1", "0", "expected an integer in 1..100"},
      {"run", "concurrent_tasks", "4", "65", "expected an integer in 1..64"},
      {"trainers", "count", "4", "0", "expected an integer in 1..256"},
      {"trainers", "device", "\"cuda:1\"", "\"gpu\"", "expected \"cpu\" or \"cuda:K\""},
      {"trainers", "threads", "2", "0", "expected an integer in 1..256"},
      {"tasks", "name", "\"other\"", "4", "expected a string, found the integer 4"},
      {"tasks", "dataset", "\"mnist\"", "\"emnist\"", "unknown dataset \"emnist\""},
      {"tasks", "classes", "[3, 1, 0]", "[0, 4]", "expected an integer in 0..3, found 4"},
      {"tasks", "permute_seed", "0", "-2", "expected an integer in 0.."},
      {"tasks", "rotate", "-45.5", "400", "expected a number in [-360, 360], found 400"},
      {"tasks", "invert", "false", "1", "expected true or false, found the integer 1"},
      {"tasks", "shots", "0", "-1", "expected an integer in 0..100000"},
      {"tasks", "image_size", "0", "3", "expected 0 (keep) or a side in 4..1024, found 3"},
      {"tasks", "validation_fraction", "0.5", "0.9", "expected a number in [0.01, 0.5]"},
      {"tasks", "max_train", "0", "-5", "expected an integer in 0.."},
      {"tasks", "max_test", "100", "-5", "expected an integer in 0.."},
      {"tasks", "delay", "3", "-1", "expected a number in [0, 86400], found -1"},
  };
  for (const auto& c : cases) {
    const std::string key = dotted(c.section, c.key);
    INFO("key " << key);
    {
      ScenarioDoc doc;
      doc.set(c.section, c.key, c.valid);
      CHECK_NOTHROW(parse(doc.text()));
    }
    ScenarioDoc doc;
    doc.set(c.section, c.key, c.invalid);
    const std::string text = doc.text();
    const std::string err = error_of(text);
    CHECK_THAT(err, Contains(c.expected));
    // Cross-key checks (patch divides image_size, heads divide dim) report the constrained key.
    std::string reported = c.key;
    if (c.section == "root.architecture" && c.key == "image_size")
      reported = "patch";
    if (c.section == "root.architecture" && c.key == "dim")
      reported = "heads";
    CHECK_THAT(err, Contains(dotted(c.section, reported)));
    CHECK_THAT(err, Contains(std::string(kFile) + ":" +
                             std::to_string(doc.line_of(c.section, reported)) + ": "));
  }
}

TEST_CASE("A task may not be named root, the root model's name", "[config]") {
  ScenarioDoc doc;
  doc.set("tasks", "name", "\"root\"");
  CHECK_THAT(error_of(doc.text()),
             Contains("tasks[0].name: expected a name other than \"root\", which names the root"));
}

TEST_CASE("A duplicate task name is rejected at the second task", "[config]") {
  ScenarioDoc doc;
  doc.set("tasks", "name", "\"t2\"");
  CHECK_THAT(error_of(doc.text()), Contains("tasks[1].name: duplicate task name \"t2\""));
}

TEST_CASE("An unknown key is rejected at every level with its line", "[config]") {
  const std::vector<std::string> sections = {
      "",      "datasets.syn",  "root", "root.architecture", "strategy", "trainers",
      "tasks", "root.pretrain", "run"};
  for (const auto& section : sections) {
    INFO("section " << section);
    ScenarioDoc doc;
    doc.set(section, "colour", "\"red\"");
    const std::string text = doc.text();
    const std::string err = error_of(text);
    CHECK_THAT(err, Contains(dotted(section, "colour") + ": unknown key (expected one of:"));
    CHECK_THAT(err, Contains(std::string(kFile) + ":" +
                             std::to_string(doc.line_of(section, "colour")) + ":"));
  }
}

TEST_CASE("A stream without tasks is rejected as empty", "[config]") {
  const std::string text = R"(name = "x"
[root]
source = "import"
file = "root.h5"
)";
  CHECK_THAT(error_of(text),
             Contains("tasks: empty stream: expected at least one [[tasks]] entry"));
  CHECK_THAT(error_of("tasks = []\n" + text), Contains("empty stream"));
}

TEST_CASE("Missing required keys are named", "[config]") {
  ScenarioDoc doc;
  CHECK_THAT(error_of(doc.set("", "name", "").text()), Contains("name: missing required key"));
  ScenarioDoc doc2;
  CHECK_THAT(error_of(doc2.set("tasks", "dataset", "").text()),
             Contains("tasks[0].dataset: missing required key"));
  ScenarioDoc doc3;
  CHECK_THAT(error_of(doc3.set("datasets.digits", "path", "").text()),
             Contains("datasets.digits.path: missing required key"));
  ScenarioDoc doc4;
  CHECK_THAT(error_of(doc4.set("datasets.syn", "kind", "").text()),
             Contains("datasets.syn.kind: missing required key"));
  CHECK_THAT(error_of("name = \"x\"\n[[tasks]]\nname = \"a\"\ndataset = \"fashion-mnist\"\n"),
             Contains("root: missing [root] table"));
}

TEST_CASE("Root source and its companion keys must agree", "[config]") {
  ScenarioDoc doc;
  doc.set("root", "source", "\"import\"");
  CHECK_THAT(error_of(doc.text()), Contains("root.file: missing key file"));
  ScenarioDoc doc2;
  doc2.set("root", "file", "\"root.h5\"");
  CHECK_THAT(error_of(doc2.text()),
             Contains("root.file: only allowed with source = \"import\" or \"torch\""));
  const std::string import_ok = R"(name = "x"
[root]
source = "import"
file = "models/root.h5"
[[tasks]]
name = "a"
dataset = "fashion-mnist"
)";
  const Scenario s = ScenarioParser::parse_string(import_ok, "/etc/evo/s.toml");
  CHECK(s.root.file == "/etc/evo/models/root.h5");
  // A PyTorch root: a file, and a ViT.
  ScenarioDoc doc3;
  doc3.set("root", "source", "\"torch\"");
  CHECK_THAT(error_of(doc3.text()),
             Contains("root.file: missing key file (required with source = \"torch\")"));
  std::string torch_ok = import_ok;
  torch_ok.replace(torch_ok.find("\"import\""), 8, "\"torch\"");
  torch_ok.replace(torch_ok.find("root.h5"), 7, "vit.pt");
  const Scenario t = ScenarioParser::parse_string(torch_ok, "/etc/evo/s.toml");
  CHECK(t.root.source == RootSpec::Source::kTorch);
  CHECK(t.root.file == "/etc/evo/models/vit.pt");
  std::string masked = torch_ok;
  masked.replace(masked.find("[[tasks]]"), 9,
                 "[root.architecture]\nfamily = \"masked-fc\"\n[[tasks]]");
  CHECK_THAT(error_of(masked), Contains("root.source"));
}

TEST_CASE("Tasks evolving at once cannot be combined with task iterations", "[config]") {
  ScenarioDoc doc;
  doc.set("run", "iterations", "2");
  const std::string err = error_of(doc.text());
  CHECK_THAT(err, Contains("run.concurrent_tasks: expected 1 when iterations > 1 "
                           "(iterations = 2), found 2"));
  CHECK_THAT(err, Contains(std::string(kFile) + ":" +
                           std::to_string(doc.line_of("run", "concurrent_tasks")) + ":"));
}

TEST_CASE("Names that would break file names, rows or lines are refused", "[config]") {
  const std::vector<std::pair<std::string, std::string>> sections = {{"", "name"},
                                                                     {"tasks", "name"}};
  const std::vector<std::string> bad = {"\"a\\nb\"",     "\"../../x\"",
                                        "\"a b\"",       "\"-lead\"",
                                        "\"t\\u0000x\"", "\"" + std::string(65, 'x') + "\""};
  for (const auto& [section, key] : sections) {
    for (const auto& value : bad) {
      INFO(section << " " << value);
      ScenarioDoc doc;
      doc.set(section, key, value);
      const std::string text = doc.text();
      const std::string err = error_of(text);
      CHECK_THAT(err, Contains(dotted(section, key) + ": expected a name of 1 to 64 letters"));
      CHECK_THAT(err, Contains(std::string(kFile) + ":" +
                               std::to_string(doc.line_of(section, key)) + ":"));
    }
  }
  // A megabyte of name is shown cut short, with its length.
  ScenarioDoc doc;
  doc.set("tasks", "name", "\"" + std::string(1 << 20, 'y') + "\"");
  const std::string err = error_of(doc.text());
  CHECK_THAT(err, Contains("(1048576 characters)"));
  CHECK(err.size() < 400);
  // Every shipped scenario's names pass.
  ScenarioDoc ok;
  ok.set("tasks", "name", "\"task_0.1-b\"");
  CHECK_NOTHROW(parse(ok.text()));
}

TEST_CASE("An integer too large for a double's exact range is a number like any other",
          "[config]") {
  ScenarioDoc doc;
  doc.set("tasks", "rotate", "9007199254740993");
  CHECK_THAT(error_of(doc.text()),
             Contains("tasks[0].rotate: expected a number in [-360, 360], found 9007199254740992"));
  ScenarioDoc big;
  big.set("strategy", "scale_factor", "9223372036854775807");
  CHECK_THAT(error_of(big.text()), Contains("strategy.scale_factor: expected a number in (0, 1]"));
}

TEST_CASE("A key that moved out of [strategy] says where it went", "[config]") {
  const std::vector<std::pair<std::string, std::string>> moved = {
      {"generations", "moved to [strategy.mu2net]"},
      {"children", "moved to [strategy.mu2net]"},
      {"steps", "moved: the per-task budget is now [strategy] task_steps"},
      {"baseline_models", "moved to [strategy.finetune] models"},
      {"iterations", "moved to [run]"},
      {"concurrent_tasks", "moved to [run]"},
  };
  for (const auto& [key, where] : moved) {
    INFO("key " << key);
    ScenarioDoc doc;
    doc.set("strategy", key, "2");
    const std::string text = doc.text();
    CHECK_THAT(error_of(text),
               Contains(std::string(kFile) + ":" + std::to_string(doc.line_of("strategy", key)) +
                        ": strategy." + key + ": " + where));
  }
}

TEST_CASE("A task whose dataset has other channels than the root is rejected", "[config]") {
  ScenarioDoc doc;
  doc.set("tasks", "dataset", "\"c10\"");
  CHECK_THAT(error_of(doc.text()),
             Contains("dataset \"c10\" has 3-channel images but root.architecture.channels is 1"));
}

TEST_CASE("Class lists must be distinct and hold two or more classes", "[config]") {
  ScenarioDoc doc;
  doc.set("tasks", "classes", "[1, 1]");
  CHECK_THAT(error_of(doc.text()), Contains("expected distinct classes"));
  ScenarioDoc doc2;
  doc2.set("tasks", "classes", "[1]");
  CHECK_THAT(error_of(doc2.text()), Contains("expected at least 2 classes, found 1"));
}

TEST_CASE("Malformed TOML and missing files give one-line errors", "[config]") {
  const std::string err = error_of("name = \"x\"\nseed = = 3\n");
  CHECK_THAT(err, Contains("test.toml:2: not valid TOML"));
  CHECK(err.find('\n') == std::string::npos);
  CHECK_THROWS_WITH(ScenarioParser::parse_file("/nonexistent/s.toml"),
                    Contains("/nonexistent/s.toml: cannot open the scenario file"));
}

TEST_CASE("The shipped scenarios are valid", "[config]") {
  for (const char* name : {"smoke", "quickstart", "fmnist-stream"}) {
    INFO(name);
    const Scenario s = ScenarioParser::parse_file(std::string(EVOSTREAM_SOURCE_DIR) + "/configs/" +
                                                  name + ".toml");
    CHECK(s.name == name);
    CHECK_FALSE(s.tasks.empty());
  }
  const Scenario s =
      ScenarioParser::parse_file(std::string(EVOSTREAM_SOURCE_DIR) + "/configs/fmnist-stream.toml");
  CHECK(s.tasks.size() >= 12);
}

namespace {

const char* kSimulated = R"(name = "sim"
[root]
source = "init"
[trainers]
kind = "simulated"
[simulation]
tasks = 12
families = 3
interval = 2.5
)";

}  // namespace

TEST_CASE("A simulated scenario generates its tasks over the families in turn", "[config]") {
  const Scenario s = parse(kSimulated);
  CHECK(s.simulated());
  CHECK(s.root.source == RootSpec::Source::kInit);
  REQUIRE(s.tasks.size() == 12);
  CHECK(s.tasks[0].name == "sim-00000");
  CHECK(s.tasks[11].name == "sim-00011");
  CHECK(s.tasks[4].family == 1);
  CHECK(s.tasks[0].delay_seconds == 0.0);
  CHECK(s.tasks[5].delay_seconds == 2.5);
  CHECK(s.simulation.families == 3);
  CHECK(s.simulation.flops_per_second == 5e9);  // the default
  CHECK_FALSE(parse(R"(name = "x"
[root]
source = "init"
[[tasks]]
name = "a"
dataset = "fashion-mnist"
)")
                  .simulated());
}

TEST_CASE("Simulation keys outside a simulated scenario are rejected", "[config]") {
  const std::string torch =
      std::string(kSimulated)
          .replace(std::string(kSimulated).find("kind = \"simulated\""), 18, "kind = \"torch\"");
  CHECK_THAT(error_of(torch),
             Contains("simulation: only read when [trainers] kind = \"simulated\""));
  CHECK_THAT(
      error_of(std::string(kSimulated) + "[[tasks]]\nname = \"a\"\ndataset = \"d\"\n"),
      Contains("tasks: expected no [[tasks]] entries with [simulation] tasks = 12, found 1"));
  ScenarioDoc doc;
  doc.set("tasks", "family", "2");
  CHECK_THAT(error_of(doc.text()),
             Contains("tasks[0].family: only read when [trainers] kind = \"simulated\""));
  CHECK_THAT(error_of(std::string(kSimulated) + "spread = -1\n"), Contains("simulation.spread"));
  CHECK_THAT(error_of(std::string(kSimulated)
                          .replace(std::string(kSimulated).find("simulated\""), 10, "simulate\"")),
             Contains("trainers.kind"));
  const std::string init_with_file = std::string(kSimulated)
                                         .replace(std::string(kSimulated).find("source = \"init\""),
                                                  15, "source = \"init\"\nfile = \"r.h5\"");
  CHECK_THAT(error_of(init_with_file),
             Contains("root.file: only allowed with source = \"import\" or \"torch\""));
}

TEST_CASE("npy and image-folder datasets take their defaults and list their classes",
          "[config][datasets]") {
  ScenarioDoc doc;
  doc.set("datasets.pics", "image_size", "");
  doc.set("datasets.arr", "train_images", "");
  doc.set("datasets.arr", "layout", "");
  const Scenario s = parse(doc.text());
  const auto* pics = s.find_dataset("pics");
  REQUIRE(pics != nullptr);
  CHECK(pics->class_names == std::vector<std::string>{"bright", "dark"});
  CHECK(pics->classes() == 2);
  CHECK(pics->image_side == 8);  // the architecture's image_size
  CHECK(pics->test_fraction == 0.3);
  const auto* arr = s.find_dataset("arr");
  CHECK(arr->train_images == "x_train.npy");
  CHECK(arr->test_labels == "y_test.npy");
  CHECK(arr->layout == "auto");
  // The two predefined datasets.
  CHECK(s.find_dataset("fashion-mnist") != nullptr);
  const auto* mnist = s.find_dataset("mnist");
  REQUIRE(mnist != nullptr);
  CHECK(mnist->train_images == "train-images-idx3-ubyte");
  CHECK(mnist->class_names.size() == 10);
}

TEST_CASE("A stream grows by the tasks and datasets of an extension", "[config][scenario][grow]") {
  evostream::testing::TempDir d;
  const std::string run = evostream::testing::minimal_scenario();
  const std::string more = R"([datasets.more]
kind = "idx"
path = "digits"
classes = 3

[[tasks]]
name = "t2"
dataset = "syn"
classes = [0, 1]

[[tasks]]
name = "t3"
dataset = "more"
)";
  const std::string more_file = d.file("more.toml");
  const std::string grown = ScenarioParser::extended_text(run, "run.toml", more, more_file);
  const Scenario s = ScenarioParser::parse_string(grown, "run.toml");
  REQUIRE(s.tasks.size() == 3);
  CHECK(s.tasks[0].name == "t1");
  CHECK(s.tasks[1].name == "t2");
  CHECK(s.tasks[1].classes == std::vector<int64_t>{0, 1});
  CHECK(s.tasks[2].dataset == "more");
  // The extension's relative path is its own, not the run's.
  CHECK(s.find_dataset("more")->path == d.file("digits"));
  // Growing again appends after the tasks it added.
  const std::string again = ScenarioParser::extended_text(
      grown, "run.toml", "[[tasks]]\nname = \"t4\"\ndataset = \"syn\"\n", more_file);
  CHECK(ScenarioParser::parse_string(again, "run.toml").tasks.back().name == "t4");
}

TEST_CASE("An extension is validated like a scenario, in its own terms",
          "[config][scenario][grow]") {
  const std::string run = evostream::testing::minimal_scenario();
  auto error_of = [&](const std::string& more, const std::string& base = "") {
    try {
      ScenarioParser::extended_text(base.empty() ? run : base, "run.toml", more, "more.toml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    FAIL("no error for:\n" << more);
    return std::string();
  };
  CHECK_THAT(error_of("[[tasks]]\nname = \"t2\"\ndataset = \"syn\"\nclasses = [0, 9]\n"),
             Contains("more.toml:4: tasks[0].classes"));
  CHECK_THAT(error_of("[[tasks]]\nname = \"t2\"\ndataset = \"nowhere\"\n"),
             Contains("more.toml:3: tasks[0].dataset"));
  CHECK_THAT(error_of("[[tasks]]\nname = \"t2\"\ndataset = \"syn\"\nsteps = 3\n"),
             Contains("more.toml:4: tasks[0].steps"));
  CHECK_THAT(error_of("[[tasks]]\nname = \"t1\"\ndataset = \"syn\"\n"),
             Contains("more.toml:2: tasks[0].name: the run already has a task \"t1\""));
  CHECK_THAT(error_of("[[tasks]]\nname = \"x\"\ndataset = \"syn\"\n[[tasks]]\nname = \"x\"\n"
                      "dataset = \"syn\"\n"),
             Contains("tasks[1].name: duplicate task name \"x\""));
  CHECK_THAT(error_of("[datasets.syn]\nkind = \"synthetic\"\n[[tasks]]\nname = \"t2\"\n"
                      "dataset = \"syn\"\n"),
             Contains("more.toml:1: datasets.syn: the run already has a dataset \"syn\""));
  CHECK_THAT(error_of("seed = 3\n[[tasks]]\nname = \"t2\"\ndataset = \"syn\"\n"),
             Contains("more.toml:1: seed: an extension holds only [[tasks]] entries"));
  CHECK_THAT(error_of("[datasets.x]\nkind = \"synthetic\"\n"),
             Contains("more.toml: tasks: expected at least one [[tasks]] entry, found none"));
  CHECK_THAT(error_of("tasks = 3\n"), Contains("more.toml: tasks: expected [[tasks]] entries"));
  CHECK_THAT(error_of("[[tasks]\n"), Contains("more.toml:1: not valid TOML"));
  CHECK_THAT(error_of("[[tasks]]\nname = \"t2\"\ndataset = \"syn\"\n",
                      evostream::testing::minimal_scenario("[run]\niterations = 2\n")),
             Contains("run.toml: run.iterations: a stream of 2 rounds cannot grow"));
}
