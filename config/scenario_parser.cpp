#include "config/scenario_parser.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/config_error.hpp"
#include "common/data_error.hpp"
#include "config/class_folders.hpp"

namespace evostream::config {

using common::ConfigError;
using common::DataError;

namespace {

namespace fs = std::filesystem;

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

int64_t line_of(const toml::node* n) {
  return n ? static_cast<int64_t>(n->source().begin.line) : 0;
}

// A short description of a TOML value for "found ..." in errors.
std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return fmt::format("the string \"{}\"", *n.value<std::string>());
    case toml::node_type::integer:
      return fmt::format("the integer {}", *n.value<int64_t>());
    case toml::node_type::floating_point:
      return fmt::format("the number {}", *n.value<double>());
    case toml::node_type::boolean:
      return *n.value<bool>() ? "true" : "false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Reads the keys of one TOML table, remembering which were read so that `finish()` can reject
// the rest as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, const std::string& file)
      : table_(table), prefix_(std::move(prefix)), file_(file) {}

  std::string path(const std::string& key) const {
    return prefix_.empty() ? key : prefix_ + "." + key;
  }
  int64_t line() const { return line_of(&table_); }

  [[noreturn]] void fail(const toml::node* n, const std::string& key,
                         const std::string& problem) const {
    throw ConfigError(file_, n ? line_of(n) : line(), path(key), problem);
  }

  const toml::node* take(const std::string& key) {
    read_.insert(key);
    return table_.get(key);
  }

  bool has(const std::string& key) const { return table_.contains(key); }

  int64_t integer(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    const toml::node* n = take(key);
    if (!n)
      return def;
    return check_integer(*n, key, lo, hi);
  }

  int64_t check_integer(const toml::node& n, const std::string& key, int64_t lo, int64_t hi) const {
    auto v = n.value_exact<int64_t>();
    if (!n.is_integer() || !v)
      fail(&n, key, "expected an integer, found " + describe(n));
    if (*v < lo || *v > hi) {
      fail(&n, key,
           fmt::format("expected an integer in {}..{}, found {}", lo,
                       hi == kMaxInt ? std::string("") : std::to_string(hi), *v));
    }
    return *v;
  }

  // A number (integer or float) in [lo, hi], or in (lo, hi] when `lo_open`.
  double number(const std::string& key, double def, double lo, double hi, bool lo_open = false) {
    const toml::node* n = take(key);
    if (!n)
      return def;
    if (!n->is_number())
      fail(n, key, "expected a number, found " + describe(*n));
    // An integer node gives its value exactly; `value<double>` is empty for one beyond 2^53.
    const double v =
        n->is_integer() ? static_cast<double>(*n->value_exact<int64_t>()) : *n->value<double>();
    // Written so that NaN, which fails every comparison, is out of range too.
    if (!std::isfinite(v) || !(v >= lo && v <= hi) || (lo_open && v == lo)) {
      fail(n, key,
           fmt::format("expected a number in {}{}, {}], found {}", lo_open ? "(" : "[", lo, hi, v));
    }
    return v;
  }

  bool boolean(const std::string& key, bool def) {
    const toml::node* n = take(key);
    if (!n)
      return def;
    if (!n->is_boolean())
      fail(n, key, "expected true or false, found " + describe(*n));
    return *n->value<bool>();
  }

  std::string string(const std::string& key, const std::string& def) {
    const toml::node* n = take(key);
    if (!n)
      return def;
    if (!n->is_string())
      fail(n, key, "expected a string, found " + describe(*n));
    std::string v = *n->value<std::string>();
    if (v.empty())
      fail(n, key, "expected a non-empty string, found \"\"");
    return v;
  }

  std::string required_string(const std::string& key) {
    if (!has(key))
      fail(nullptr, key, "missing required key (expected a string)");
    return string(key, "");
  }

  // A name that goes into file names, CSV rows and ids: 1 to 64 letters, digits, '.', '_'
  // and '-', starting with a letter or digit.
  std::string name(const std::string& key) {
    const toml::node* n = table_.get(key);
    const std::string v = required_string(key);
    static const std::regex kName("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    if (!std::regex_match(v, kName)) {
      const std::string shown = v.size() > 40 ? v.substr(0, 40) + "..." : v;
      std::string printable;
      for (char c : shown)
        printable += std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "?";
      fail(n, key,
           fmt::format("expected a name of 1 to 64 letters, digits, '.', '_' or '-' starting "
                       "with a letter or digit, found \"{}\" ({} characters)",
                       printable, v.size()));
    }
    return v;
  }

  std::string choice(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed) {
    const toml::node* n = table_.get(key);
    std::string v = string(key, def);
    bool ok = false;
    for (const auto& a : allowed)
      ok = ok || a == v;
    if (!ok)
      fail(n, key, fmt::format("expected one of {}, found \"{}\"", join(allowed), v));
    return v;
  }

  const toml::array* array(const std::string& key) {
    const toml::node* n = take(key);
    if (!n)
      return nullptr;
    if (!n->is_array())
      fail(n, key, "expected an array, found " + describe(*n));
    return n->as_array();
  }

  std::vector<int64_t> integer_array(const std::string& key, int64_t lo, int64_t hi) {
    std::vector<int64_t> out;
    if (const toml::array* a = array(key)) {
      for (size_t i = 0; i < a->size(); ++i) {
        out.push_back(check_integer(*a->get(i), fmt::format("{}[{}]", key, i), lo, hi));
      }
    }
    return out;
  }

  std::vector<std::string> string_array(const std::string& key) {
    std::vector<std::string> out;
    if (const toml::array* a = array(key)) {
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& n = *a->get(i);
        if (!n.is_string()) {
          fail(&n, fmt::format("{}[{}]", key, i), "expected a string, found " + describe(n));
        }
        out.push_back(*n.value<std::string>());
      }
    }
    return out;
  }

  const toml::table* table(const std::string& key) {
    const toml::node* n = take(key);
    if (!n)
      return nullptr;
    if (!n->is_table())
      fail(n, key, "expected a table, found " + describe(*n));
    return n->as_table();
  }

  // Rejects every key that was not read.
  void finish() const {
    for (auto&& [k, v] : table_) {
      const std::string key(k.str());
      if (read_.count(key) == 0) {
        std::vector<std::string> known(read_.begin(), read_.end());
        throw ConfigError(file_, line_of(&v), path(key),
                          "unknown key (expected one of: " + join(known) + ")");
      }
    }
  }

 private:
  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  std::set<std::string> read_;
};

std::string resolve(const std::string& p, const std::string& scenario_file) {
  if (p.empty() || fs::path(p).is_absolute())
    return p;
  return (fs::path(scenario_file).parent_path() / p).lexically_normal().string();
}

DatasetSpec predefined_fashion_mnist() {
  DatasetSpec d;
  d.name = "fashion-mnist";
  d.kind = DatasetSpec::Kind::kIdx;
  d.path = default_fashion_mnist_dir();
  d.num_classes = 10;
  return d;
}

DatasetSpec predefined_mnist() {
  DatasetSpec d;
  d.name = "mnist";
  d.kind = DatasetSpec::Kind::kIdx;
  d.path = default_mnist_dir();
  d.train_images = "train-images-idx3-ubyte";
  d.train_labels = "train-labels-idx1-ubyte";
  d.test_images = "t10k-images-idx3-ubyte";
  d.test_labels = "t10k-labels-idx1-ubyte";
  d.num_classes = 10;
  for (int k = 0; k < 10; ++k)
    d.class_names.push_back(std::to_string(k));
  return d;
}

// The class folders of an image-folder dataset, listed when the scenario is read (tasks name
// classes by number, so their count must be known).
void read_image_classes(DatasetSpec& d, TableReader& r, const toml::table& t) {
  const fs::path train = fs::path(d.path) / "train";
  std::error_code ec;
  const bool split = fs::is_directory(train, ec);
  try {
    d.class_names = class_folders(split ? train.string() : d.path);
  } catch (const DataError& e) {
    r.fail(t.get("path"), "path", e.what());
  }
  d.num_classes = static_cast<int64_t>(d.class_names.size());
}

// The keys idx and npy datasets share: the four file names (`names` their defaults), `classes`
// and `class_names`.
void read_files_and_classes(DatasetSpec& d, TableReader& r, const toml::table& t,
                            const std::array<std::string, 4>& names) {
  d.train_images = r.string("train_images", names[0]);
  d.train_labels = r.string("train_labels", names[1]);
  d.test_images = r.string("test_images", names[2]);
  d.test_labels = r.string("test_labels", names[3]);
  d.num_classes = r.integer("classes", d.num_classes, 2, 65536);
  const toml::node* names_node = t.get("class_names");
  d.class_names = r.string_array("class_names");
  if (!d.class_names.empty() && static_cast<int64_t>(d.class_names.size()) != d.num_classes) {
    r.fail(names_node, "class_names",
           fmt::format("expected {} names (one per class), found {}", d.num_classes,
                       d.class_names.size()));
  }
}

DatasetSpec parse_dataset(const std::string& name, const toml::table& t, const std::string& file) {
  TableReader r(t, "datasets." + name, file);
  DatasetSpec d;
  d.name = name;
  d.line = r.line();
  if (!r.has("kind"))
    r.fail(nullptr, "kind",
           "missing required key (expected idx, cifar10, "
           "cifar100, npy, images or synthetic)");
  const std::string kind =
      r.choice("kind", "", {"idx", "cifar10", "cifar100", "npy", "images", "synthetic"});
  if (kind == "npy" || kind == "images") {
    d.kind = kind == "npy" ? DatasetSpec::Kind::kNpy : DatasetSpec::Kind::kImages;
    d.path = resolve(r.required_string("path"), file);
    d.image_channels = r.integer("channels", 1, 1, 4);
    if (d.kind == DatasetSpec::Kind::kNpy) {
      read_files_and_classes(d, r, t, {"x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy"});
      d.layout = r.choice("layout", "auto", {"auto", "nhwc", "nchw"});
    } else {
      d.image_side = r.integer("image_size", 0, 1, 4096);
      d.test_fraction = r.number("test_fraction", d.test_fraction, 0.0, 1.0, true);
      if (d.test_fraction >= 1.0)
        r.fail(t.get("test_fraction"), "test_fraction",
               fmt::format("expected a share below 1, found {}", d.test_fraction));
      d.split_seed = static_cast<uint64_t>(r.integer("split_seed", 0, 0, kMaxInt));
      read_image_classes(d, r, t);
    }
  } else if (kind == "synthetic") {
    d.kind = DatasetSpec::Kind::kSynthetic;
    SyntheticOptions& s = d.synthetic;
    s.classes = r.integer("classes", s.classes, 2, 1000);
    s.channels = r.integer("channels", s.channels, 1, 4);
    s.image_size = r.integer("image_size", s.image_size, 4, 512);
    s.train_per_class = r.integer("train_per_class", s.train_per_class, 1, 100000);
    s.test_per_class = r.integer("test_per_class", s.test_per_class, 1, 100000);
    s.noise = r.number("noise", s.noise, 0.0, 1.0);
    s.max_shift = r.integer("max_shift", s.max_shift, 0, s.image_size / 2);
    s.seed = static_cast<uint64_t>(r.integer("seed", 0, 0, kMaxInt));
  } else {
    d.kind = kind == "idx"       ? DatasetSpec::Kind::kIdx
             : kind == "cifar10" ? DatasetSpec::Kind::kCifar10
                                 : DatasetSpec::Kind::kCifar100;
    d.path = resolve(r.required_string("path"), file);
    if (d.kind == DatasetSpec::Kind::kIdx) {
      read_files_and_classes(d, r, t,
                             {d.train_images, d.train_labels, d.test_images, d.test_labels});
    } else if (d.kind == DatasetSpec::Kind::kCifar100) {
      d.coarse = r.boolean("coarse", false);
    }
  }
  r.finish();
  return d;
}

TaskSpec parse_task(const toml::table& t, const std::string& prefix, const Scenario& s) {
  TableReader r(t, prefix, s.file);
  TaskSpec task;
  task.line = r.line();
  task.name = r.name("name");
  if (task.name == "root" && prefix != "root.pretrain") {
    r.fail(t.get("name"), "name",
           "expected a name other than \"root\", which names the root model (its components' "
           "owner, and `--task root` of predict and export)");
  }
  const toml::node* dataset_node = t.get("dataset");
  task.dataset = r.required_string("dataset");
  const DatasetSpec* ds = s.find_dataset(task.dataset);
  if (ds == nullptr) {
    std::vector<std::string> names;
    for (const auto& d : s.datasets)
      names.push_back(d.name);
    r.fail(dataset_node, "dataset",
           fmt::format("unknown dataset \"{}\" (expected one of: {}; define others in a "
                       "[datasets.NAME] table)",
                       task.dataset, join(names)));
  }
  if (ds->channels() != s.root.architecture.channels) {
    r.fail(dataset_node, "dataset",
           fmt::format("dataset \"{}\" has {}-channel images but root.architecture.channels is {}",
                       ds->name, ds->channels(), s.root.architecture.channels));
  }
  const toml::node* classes_node = t.get("classes");
  task.classes = r.integer_array("classes", 0, ds->classes() - 1);
  if (classes_node != nullptr) {
    std::set<int64_t> unique(task.classes.begin(), task.classes.end());
    if (task.classes.size() < 2) {
      r.fail(classes_node, "classes",
             fmt::format("expected at least 2 classes, found {}", task.classes.size()));
    }
    if (unique.size() != task.classes.size()) {
      r.fail(classes_node, "classes", "expected distinct classes, found a class listed twice");
    }
  }
  if (r.has("permute_seed")) {
    task.permute_seed = static_cast<uint64_t>(r.integer("permute_seed", 0, 0, kMaxInt));
  }
  task.rotate_degrees = r.number("rotate", 0.0, -360.0, 360.0);
  task.invert = r.boolean("invert", false);
  task.shots = r.integer("shots", 0, 0, 100000);
  const toml::node* size_node = t.get("image_size");
  task.image_size = r.integer("image_size", 0, 0, 1024);
  if (task.image_size != 0 && task.image_size < 4) {
    r.fail(size_node, "image_size",
           fmt::format("expected 0 (keep) or a side in 4..1024, found {}", task.image_size));
  }
  task.validation_fraction = r.number("validation_fraction", 0.1, 0.01, 0.5);
  task.max_train = r.integer("max_train", 0, 0, kMaxInt);
  task.max_test = r.integer("max_test", 0, 0, kMaxInt);
  task.delay_seconds = r.number("delay", 0.0, 0.0, 86400.0);
  const toml::node* family_node = t.get("family");
  task.family = r.integer("family", -1, -1, kMaxInt);
  if (family_node != nullptr && !s.simulated())
    r.fail(family_node, "family", "only read when [trainers] kind = \"simulated\"");
  r.finish();
  return task;
}

void parse_architecture(const toml::table& t, ArchitectureSpec& a, const std::string& file) {
  TableReader r(t, "root.architecture", file);
  a.family = r.choice("family", "vit", {"vit", "moe-vit", "masked-fc", "masked-vit"});
  if (a.family == "masked-fc" || a.family == "masked-vit")
    a.name = a.family;
  a.name = r.string("name", a.name);
  a.image_size = r.integer("image_size", a.image_size, 4, 1024);
  a.channels = r.integer("channels", a.channels, 1, 4);
  const toml::node* patch_node = t.get("patch");
  a.patch = r.integer("patch", a.patch, 1, 64);
  if (a.image_size % a.patch != 0) {
    r.fail(patch_node ? patch_node : t.get("image_size"), "patch",
           fmt::format("expected a divisor of image_size {}, found {}", a.image_size, a.patch));
  }
  a.dim = r.integer("dim", a.dim, 8, 4096);
  a.depth = r.integer("depth", a.depth, 1, 64);
  const toml::node* heads_node = t.get("heads");
  a.heads = r.integer("heads", a.heads, 1, 64);
  if (a.dim % a.heads != 0) {
    r.fail(heads_node ? heads_node : t.get("dim"), "heads",
           fmt::format("expected a divisor of dim {}, found {}", a.dim, a.heads));
  }
  a.mlp = r.integer("mlp", a.mlp, 1, 16384);
  // Both families' keys may be present (a scenario run with `--set
  // root.architecture.family=...` either way); each family reads its own.
  const toml::node* hidden_node = t.get("hidden");
  if (r.has("hidden"))
    a.hidden = r.integer_array("hidden", 1, 65536);
  if (a.hidden.empty())
    r.fail(hidden_node, "hidden", "expected at least one hidden width, found []");
  a.classes = r.integer("classes", a.classes, 2, 65536);
  a.experts = r.integer("experts", a.experts, 1, 4096);
  const toml::node* top_k_node = t.get("top_k");
  a.top_k = r.integer("top_k", a.top_k, 1, 4096);
  a.moe_every = r.integer("moe_every", a.moe_every, 1, 64);
  a.attention_experts = r.integer("attention_experts", a.attention_experts, 0, 4096);
  if (a.family == "moe-vit") {
    const toml::node* at = top_k_node ? top_k_node : t.get("experts");
    if (a.top_k > a.experts) {
      r.fail(at, "top_k",
             fmt::format("expected at most experts = {}, found {}", a.experts, a.top_k));
    }
    if (a.mlp % a.top_k != 0) {
      r.fail(at ? at : t.get("mlp"), "top_k",
             fmt::format("expected a divisor of mlp {} (each expert is mlp / top_k wide), "
                         "found {}",
                         a.mlp, a.top_k));
    }
    if (a.moe_every > a.depth) {
      r.fail(t.get("moe_every"), "moe_every",
             fmt::format("expected at most depth = {} (no block would be a mixture of "
                         "experts), found {}",
                         a.depth, a.moe_every));
    }
    if (a.attention_experts > 0 && a.attention_experts < a.heads) {
      r.fail(t.get("attention_experts"), "attention_experts",
             fmt::format("expected 0 or at least heads = {} (each token uses one attention "
                         "expert per head), found {}",
                         a.heads, a.attention_experts));
    }
    if (a.attention_experts > 0 && a.moe_every < 2) {
      r.fail(t.get("attention_experts"), "attention_experts",
             fmt::format("expected 0 with moe_every = {} (attention mixtures sit in the blocks "
                         "whose MLP is dense, and every block's MLP is a mixture), found {}",
                         a.moe_every, a.attention_experts));
    }
  }
  r.finish();
}

void parse_root(const toml::table& t, Scenario& s) {
  TableReader r(t, "root", s.file);
  RootSpec& root = s.root;
  const toml::node* source_node = t.get("source");
  const std::string source = r.choice("source", "train", {"train", "import", "torch", "init"});
  root.source = source == "train"    ? RootSpec::Source::kTrain
                : source == "import" ? RootSpec::Source::kImport
                : source == "torch"  ? RootSpec::Source::kTorch
                                     : RootSpec::Source::kInit;
  if (const toml::table* a = r.table("architecture"))
    parse_architecture(*a, root.architecture, s.file);
  const std::string& family = root.architecture.family;
  if ((family == "masked-fc" || family == "masked-vit") && root.source != RootSpec::Source::kInit) {
    r.fail(source_node ? source_node : &t, "source",
           fmt::format("expected \"init\" with family = \"{}\" (its weights are random "
                       "and never trained), found \"{}\"",
                       family, source));
  }
  root.steps = r.integer("steps", root.steps, 1, 10'000'000);
  root.batch_size = r.integer("batch_size", root.batch_size, 1, 65536);
  root.learning_rate = r.number("learning_rate", root.learning_rate, 0.0, 10.0, true);
  const toml::table* pretrain = r.table("pretrain");
  const toml::node* file_node = t.get("file");
  if (r.has("file"))
    root.file = resolve(r.string("file", ""), s.file);
  if (root.source == RootSpec::Source::kTrain) {
    if (pretrain == nullptr) {
      r.fail(source_node, "pretrain",
             "missing [root.pretrain] task (required with source = "
             "\"train\")");
    }
    if (file_node != nullptr)
      r.fail(file_node, "file", "only allowed with source = \"import\" or \"torch\"");
    root.pretrain = parse_task(*pretrain, "root.pretrain", s);
  } else if (root.source == RootSpec::Source::kInit) {
    if (file_node != nullptr)
      r.fail(file_node, "file", "only allowed with source = \"import\" or \"torch\"");
    if (pretrain != nullptr)
      r.fail(&t, "pretrain", "only allowed with source = \"train\"");
  } else {
    if (root.file.empty()) {
      r.fail(source_node, "file",
             fmt::format("missing key file (required with source = \"{}\")", source));
    }
    if (root.source == RootSpec::Source::kTorch && root.architecture.family != "vit") {
      r.fail(source_node, "source",
             fmt::format("\"torch\" imports a timm-style ViT: expected family \"vit\", found "
                         "\"{}\"",
                         root.architecture.family));
    }
    if (pretrain != nullptr)
      r.fail(&t, "pretrain", "only allowed with source = \"train\"");
  }
  r.finish();
}

// Keys that earlier scenario files had in [strategy], and where each went.
const char* moved_strategy_key(const std::string& key) {
  if (key == "generations" || key == "children")
    return "moved to [strategy.mu2net]";
  if (key == "steps") {
    return "moved: the per-task budget is now [strategy] task_steps, the steps of one task "
           "visit (generations × children × the old steps for mu2net)";
  }
  if (key == "baseline_models")
    return "moved to [strategy.finetune] models (and [strategy.head-only], [strategy.adapters])";
  if (key == "iterations" || key == "concurrent_tasks")
    return "moved to [run]";
  return nullptr;
}

// A [strategy.NAME] table as it stands: scalars only, checked by the strategy's own options.
OptionTable option_table(const std::string& name, const toml::table& t, const std::string& file) {
  OptionTable out;
  out.file = file;
  out.prefix = "strategy." + name;
  out.line = line_of(&t);
  out.present = true;
  for (auto&& [k, v] : t) {
    OptionEntry e;
    e.key = std::string(k.str());
    e.line = line_of(&v);
    if (v.is_boolean())
      e.value = *v.value<bool>();
    else if (v.is_integer())
      e.value = *v.value<int64_t>();
    else if (v.is_floating_point())
      e.value = *v.value<double>();
    else if (v.is_string())
      e.value = *v.value<std::string>();
    else
      throw ConfigError(file, e.line, out.prefix + "." + e.key,
                        "expected a number, true or false, or a string, found " + describe(v));
    out.entries.push_back(std::move(e));
  }
  return out;
}

void parse_strategy(const toml::table& t, StrategySpec& st, const std::string& file) {
  TableReader r(t, "strategy", file);
  st.file = file;
  st.line = r.line();
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (const char* where = moved_strategy_key(key))
      throw ConfigError(file, line_of(&v), "strategy." + key, where);
    if (v.is_table()) {
      r.take(key);
      st.options.push_back(option_table(key, *v.as_table(), file));
    }
  }
  st.name = r.string("name", st.name);
  st.task_steps = r.integer("task_steps", st.task_steps, 1, 1'000'000'000);
  st.batch_size = r.integer("batch_size", st.batch_size, 1, 65536);
  st.validation_interval = r.integer("validation_interval", st.validation_interval, 1, 10'000'000);
  st.scale_factor = r.number("scale_factor", st.scale_factor, 0.0, 1.0, true);
  r.finish();
}

void parse_run(const toml::table& t, RunSpec& run, const std::string& file) {
  TableReader r(t, "run", file);
  run.iterations = r.integer("iterations", run.iterations, 1, 100);
  const toml::node* concurrent_node = t.get("concurrent_tasks");
  run.concurrent_tasks = r.integer("concurrent_tasks", run.concurrent_tasks, 1, 64);
  if (run.concurrent_tasks > 1 && run.iterations > 1) {
    // A visit evolves from the model as it stood some commits ago; with revisits that model
    // would need the paths a task had before its later visits.
    r.fail(concurrent_node, "concurrent_tasks",
           fmt::format("expected 1 when iterations > 1 (iterations = {}), found {}", run.iterations,
                       run.concurrent_tasks));
  }
  r.finish();
}

void parse_evaluation(const toml::table& t, EvaluationSpec& e, const Scenario& s) {
  TableReader r(t, "evaluation", s.file);
  const toml::node* labels_node = t.get("task_labels");
  e.task_labels = r.boolean("task_labels", e.task_labels);
  e.inference = r.choice("inference", e.inference, {"entropy", "oneshot", "binary", "fit"});
  e.fit_steps = r.integer("fit_steps", e.fit_steps, 1, 10000);
  e.fit_learning_rate = r.number("fit_learning_rate", e.fit_learning_rate, 0.0, 100.0, true);
  e.inference_batch = r.integer("inference_batch", e.inference_batch, 1, 65536);
  if (!e.task_labels && s.root.architecture.family != "masked-fc") {
    r.fail(labels_node, "task_labels",
           fmt::format("expected true with family \"{}\" (tasks are inferred only on the "
                       "masked-fc family), found false",
                       s.root.architecture.family));
  }
  r.finish();
}

void parse_trainers(const toml::table& t, TrainerSpec& tr, const std::string& file) {
  TableReader r(t, "trainers", file);
  tr.count = r.integer("count", tr.count, 1, 256);
  const toml::node* device_node = t.get("device");
  tr.device = r.string("device", tr.device);
  static const std::regex kDevice("cpu|cuda:[0-9]{1,2}");
  if (!std::regex_match(tr.device, kDevice)) {
    r.fail(device_node, "device",
           fmt::format("expected \"cpu\" or \"cuda:K\", found \"{}\"", tr.device));
  }
  tr.threads = r.integer("threads", tr.threads, 1, 256);
  tr.kind = r.choice("kind", "torch", {"torch", "simulated"}) == "torch"
                ? TrainerSpec::Kind::kTorch
                : TrainerSpec::Kind::kSimulated;
  r.finish();
}

void parse_simulation(const toml::table& t, SimulationSpec& sim, const std::string& file) {
  TableReader r(t, "simulation", file);
  sim.tasks = r.integer("tasks", sim.tasks, 0, 10'000'000);
  sim.families = r.integer("families", sim.families, 1, 1'000'000);
  sim.spread = r.number("spread", sim.spread, 0.0, 10.0);
  sim.classes = r.integer("classes", sim.classes, 2, 65536);
  sim.interval = r.number("interval", sim.interval, 0.0, 86400.0);
  sim.flops_per_second = r.number("flops_per_second", sim.flops_per_second, 0.0, 1e18, true);
  sim.validation_images = r.integer("validation_images", sim.validation_images, 0, 10'000'000);
  sim.adapt_steps = r.number("adapt_steps", sim.adapt_steps, 0.0, 1e9, true);
  sim.root_relatedness = r.number("root_relatedness", sim.root_relatedness, 0.0, 1.0);
  sim.noise = r.number("noise", sim.noise, 0.0, 1.0);
  r.finish();
}

// The tasks `[simulation] tasks` asks for: `sim-00000`, ... over the families in turn.
std::vector<TaskSpec> generated_tasks(const SimulationSpec& sim) {
  std::vector<TaskSpec> out;
  out.reserve(static_cast<size_t>(sim.tasks));
  for (int64_t i = 0; i < sim.tasks; ++i) {
    TaskSpec t;
    t.name = fmt::format("sim-{:05d}", i);
    t.dataset = "simulated";
    t.family = i % sim.families;
    t.delay_seconds = i == 0 ? 0.0 : sim.interval;
    out.push_back(std::move(t));
  }
  return out;
}

Scenario parse_table(const toml::table& top, const std::string& file) {
  Scenario s;
  s.file = file;
  TableReader r(top, "", file);
  s.name = r.name("name");
  s.seed = static_cast<uint64_t>(r.integer("seed", 1, 0, kMaxInt));
  s.description = r.string("description", "");

  // Datasets first: tasks refer to them.
  s.datasets.push_back(predefined_fashion_mnist());
  s.datasets.push_back(predefined_mnist());
  if (const toml::table* ds = r.table("datasets")) {
    for (auto&& [k, v] : *ds) {
      const std::string name(k.str());
      if (!v.is_table()) {
        throw ConfigError(file, line_of(&v), "datasets." + name,
                          "expected a table, found " + describe(v));
      }
      DatasetSpec d = parse_dataset(name, *v.as_table(), file);
      if (name == "fashion-mnist" || name == "mnist") {
        *std::find_if(s.datasets.begin(), s.datasets.end(),
                      [&](const DatasetSpec& p) { return p.name == name; }) = d;
      } else {
        s.datasets.push_back(d);
      }
    }
  }
  // The architecture before the tasks: their channels must match it.
  const toml::table* root = r.table("root");
  if (root == nullptr)
    r.fail(&top, "root", "missing [root] table");
  parse_root(*root, s);
  for (DatasetSpec& d : s.datasets) {
    if (d.kind == DatasetSpec::Kind::kImages && d.image_side == 0)
      d.image_side = s.root.architecture.image_size;
  }
  s.strategy.file = file;
  if (const toml::table* st = r.table("strategy"))
    parse_strategy(*st, s.strategy, file);
  if (const toml::table* run = r.table("run"))
    parse_run(*run, s.run, file);
  if (const toml::table* ev = r.table("evaluation"))
    parse_evaluation(*ev, s.evaluation, s);
  if (const toml::table* tr = r.table("trainers"))
    parse_trainers(*tr, s.trainers, file);
  if (s.simulated() && s.root.architecture.family != "vit") {
    throw ConfigError(file, line_of(r.table("trainers")), "trainers.kind",
                      fmt::format("\"simulated\" models the vit family, found family \"{}\"",
                                  s.root.architecture.family));
  }
  if (const toml::table* sim = r.table("simulation")) {
    if (!s.simulated())
      r.fail(sim, "simulation", "only read when [trainers] kind = \"simulated\"");
    parse_simulation(*sim, s.simulation, file);
  }

  const toml::array* tasks = r.array("tasks");
  if (s.simulation.tasks > 0) {
    if (tasks != nullptr && !tasks->empty()) {
      r.fail(tasks, "tasks",
             fmt::format("expected no [[tasks]] entries with [simulation] tasks = {}, found {}",
                         s.simulation.tasks, tasks->size()));
    }
    s.tasks = generated_tasks(s.simulation);
    r.finish();
    return s;
  }
  if (tasks == nullptr || tasks->empty()) {
    r.fail(tasks, "tasks", "empty stream: expected at least one [[tasks]] entry");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < tasks->size(); ++i) {
    const toml::node& n = *tasks->get(i);
    const std::string prefix = fmt::format("tasks[{}]", i);
    if (!n.is_table()) {
      throw ConfigError(file, line_of(&n), prefix, "expected a table, found " + describe(n));
    }
    TaskSpec task = parse_task(*n.as_table(), prefix, s);
    if (!names.insert(task.name).second) {
      throw ConfigError(file, line_of(n.as_table()->get("name")), prefix + ".name",
                        fmt::format("duplicate task name \"{}\"", task.name));
    }
    s.tasks.push_back(std::move(task));
  }
  // Without task labels every learned task's weights are superimposed: equal heads.
  if (!s.evaluation.task_labels) {
    auto classes_of = [&](const TaskSpec& t) {
      return t.classes.empty() ? s.find_dataset(t.dataset)->classes()
                               : static_cast<int64_t>(t.classes.size());
    };
    for (const TaskSpec& t : s.tasks) {
      if (classes_of(t) != classes_of(s.tasks.front())) {
        throw ConfigError(
            file, t.line, "evaluation.task_labels",
            fmt::format("false needs tasks of equal classes (inference superimposes "
                        "their heads): task {} has {}, task {} has {}",
                        t.name, classes_of(t), s.tasks.front().name, classes_of(s.tasks.front())));
      }
    }
  }
  r.finish();
  return s;
}

toml::table parse_toml(const std::string& text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw ConfigError(file, e.source().begin.line, "",
                      fmt::format("not valid TOML: {}", e.description()));
  }
}

Scenario parse_text(const std::string& text, const std::string& file) {
  return parse_table(parse_toml(text, file), file);
}

std::string read_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError(path, 0, "", "cannot open the scenario file (does it exist?)");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Applies `--set KEY=VALUE` overrides to `top`; returns the dotted keys they set.
std::vector<std::string> apply_sets(toml::table& top, const std::vector<std::string>& sets) {
  static const std::regex kSegment("([A-Za-z0-9_-]+)(\\[([0-9]+)\\])?");
  std::vector<std::string> keys;
  for (const auto& set : sets) {
    const auto fail = [&](const std::string& problem) {
      throw ConfigError("--set " + set, 0, "", problem);
    };
    const size_t eq = set.find('=');
    if (eq == std::string::npos || eq == 0)
      fail("expected KEY=VALUE (e.g. strategy.task_steps=100)");
    const std::string key = set.substr(0, eq);
    const std::string value = set.substr(eq + 1);
    toml::table parsed;
    try {
      parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      parsed = toml::table{{"v", value}};  // a bare word: the string itself
    }
    toml::table* at = &top;
    std::string walked;
    size_t from = 0;
    while (true) {
      const size_t dot = key.find('.', from);
      const std::string segment = key.substr(from, dot == std::string::npos ? dot : dot - from);
      std::smatch m;
      if (!std::regex_match(segment, m, kSegment))
        fail(fmt::format("expected a dotted key of names (tasks[2] for an entry), found \"{}\"",
                         key));
      const std::string name = m[1].str();
      walked += (walked.empty() ? "" : ".") + segment;
      const bool last = dot == std::string::npos;
      if (last && !m[2].matched) {
        at->insert_or_assign(name, parsed["v"]);
        break;
      }
      if (m[2].matched) {
        toml::array* entries = at->get_as<toml::array>(name);
        const size_t index = std::stoul(m[3].str());
        if (entries == nullptr || index >= entries->size() || !entries->get(index)->is_table()) {
          fail(fmt::format("{}: no such entry (the scenario has {} {})", walked,
                           entries ? entries->size() : 0, name));
        }
        if (last)
          fail(fmt::format("expected a key inside {}, found the entry itself", walked));
        at = entries->get(index)->as_table();
      } else {
        if (at->get(name) == nullptr)
          at->insert(name, toml::table{});
        at = at->get_as<toml::table>(name);
        if (at == nullptr)
          fail(fmt::format("{} is a value, not a table", walked));
      }
      from = dot + 1;
    }
    keys.push_back(key);
  }
  return keys;
}

}  // namespace

Scenario ScenarioParser::parse_file(const std::string& path) {
  return parse_text(read_scenario(path), path);
}

Scenario ScenarioParser::parse_file(const std::string& path, const std::vector<std::string>& sets) {
  toml::table top = parse_toml(read_scenario(path), path);
  const std::vector<std::string> keys = apply_sets(top, sets);
  try {
    return parse_table(top, path);
  } catch (const ConfigError& e) {
    const bool overridden = std::any_of(keys.begin(), keys.end(), [&](const std::string& k) {
      return e.key() == k || e.key().rfind(k + ".", 0) == 0;
    });
    if (!overridden)
      throw;
    throw ConfigError(e.file(), e.line(), e.key(), e.problem() + " (given with --set)");
  }
}

std::string ScenarioParser::text_with_sets(const std::string& path,
                                           const std::vector<std::string>& sets) {
  const std::string text = read_scenario(path);
  toml::table top = parse_toml(text, path);
  apply_sets(top, sets);
  // Relative file names are relative to the scenario; the copy lives elsewhere.
  bool moved = false;
  const auto absolute = [&](toml::node* n) {
    if (n == nullptr || !n->is_string() || n->as_string()->get().empty())
      return;
    std::string& v = n->as_string()->get();
    if (!fs::path(v).is_absolute()) {
      v = fs::absolute(resolve(v, path)).lexically_normal().string();
      moved = true;
    }
  };
  if (toml::table* ds = top["datasets"].as_table()) {
    for (auto&& [name, d] : *ds) {
      if (d.is_table())
        absolute(d.as_table()->get("path"));
    }
  }
  if (toml::table* root = top["root"].as_table())
    absolute(root->get("file"));
  if (sets.empty() && !moved)
    return text;
  std::stringstream out;
  out << "# " << path << (moved ? ", its file names made absolute," : "");
  if (!sets.empty())
    out << " with";
  for (const auto& set : sets)
    out << " --set " << set;
  out << "\n" << top << "\n";
  return out.str();
}

std::string ScenarioParser::extended_text(const std::string& text, const std::string& file,
                                          const std::string& more_text,
                                          const std::string& more_file) {
  const Scenario run = parse_text(text, file);
  if (run.simulation.tasks > 0) {
    throw ConfigError(file, 0, "simulation.tasks",
                      "a generated stream cannot grow: add tasks to a scenario of [[tasks]]");
  }
  if (run.run.iterations > 1) {
    throw ConfigError(file, 0, "run.iterations",
                      fmt::format("a stream of {} rounds cannot grow (each round revisits every "
                                  "task): expected 1, found {}",
                                  run.run.iterations, run.run.iterations));
  }
  // Read twice: moving nodes keeps their lines (copying does not), and both tables below take
  // the extension's nodes.
  toml::table check = parse_toml(text, file);
  toml::table merged = parse_toml(text, file);
  toml::table more = parse_toml(more_text, more_file);
  for (auto&& [k, v] : more) {
    const std::string key(k.str());
    if (key != "tasks" && key != "datasets") {
      throw ConfigError(more_file, line_of(&v), key,
                        "an extension holds only [[tasks]] entries and [datasets.NAME] tables; "
                        "this key belongs to the run's scenario");
    }
  }
  const toml::array* tasks = more["tasks"].as_array();
  if (tasks == nullptr || tasks->empty()) {
    throw ConfigError(more_file, 0, "tasks",
                      more["tasks"]
                          ? "expected [[tasks]] entries, found " + describe(*more.get("tasks"))
                          : "expected at least one [[tasks]] entry, found none");
  }
  if (toml::node* ds = more.get("datasets")) {
    if (!ds->is_table())
      throw ConfigError(more_file, line_of(ds), "datasets",
                        "expected a table, found " + describe(*ds));
    for (auto&& [k, d] : *ds->as_table()) {
      const std::string name(k.str());
      if (run.find_dataset(name) != nullptr) {
        throw ConfigError(more_file, line_of(&d), "datasets." + name,
                          fmt::format("the run already has a dataset \"{}\"", name));
      }
      if (d.is_table()) {
        if (toml::node* path = d.as_table()->get("path"); path && path->is_string()) {
          std::string& v = path->as_string()->get();
          if (!v.empty() && !fs::path(v).is_absolute())
            v = fs::absolute(resolve(v, more_file)).lexically_normal().string();
        }
      }
    }
  }
  for (size_t i = 0; i < tasks->size(); ++i) {
    const toml::table* t = tasks->get(i)->as_table();
    const toml::node* name = t ? t->get("name") : nullptr;
    if (name && name->is_string()) {
      const std::string n = name->as_string()->get();
      const bool taken = std::any_of(run.tasks.begin(), run.tasks.end(),
                                     [&](const TaskSpec& s) { return s.name == n; });
      if (taken) {
        throw ConfigError(more_file, line_of(name), fmt::format("tasks[{}].name", i),
                          fmt::format("the run already has a task \"{}\"", n));
      }
    }
  }
  // The extension's tasks as the only ones, its datasets beside the run's: validated as a
  // scenario, errors in its own terms. Then the same appended to the run's.
  auto add = [](toml::table& top, toml::table&& extension) {
    if (toml::table* ds = extension["datasets"].as_table()) {
      if (top.get("datasets") == nullptr)
        top.insert("datasets", toml::table{});
      for (auto&& [k, d] : *ds)
        top["datasets"].as_table()->insert_or_assign(k, std::move(d));
    }
    return extension["tasks"].as_array();
  };
  toml::table more_again = more;  // values only; its lines are not needed
  check.insert_or_assign("tasks", std::move(*add(check, std::move(more))));
  parse_table(check, more_file);
  toml::array* appended = add(merged, std::move(more_again));
  toml::array* all = merged["tasks"].as_array();
  for (auto&& t : *appended)
    all->push_back(std::move(t));
  std::stringstream out;
  out << "# " << file << ", extended with the tasks of " << more_file << "\n" << merged << "\n";
  parse_text(out.str(), file);  // cannot fail when the parts passed
  return out.str();
}

std::string ScenarioParser::extended_file(const std::string& file, const std::string& more_file) {
  return extended_text(read_scenario(file), file, read_scenario(more_file), more_file);
}

Scenario ScenarioParser::parse_string(const std::string& text, const std::string& file) {
  return parse_text(text, file);
}

}  // namespace evostream::config
