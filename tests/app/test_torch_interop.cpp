#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "storage/component_file.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// The micro ViT both sides build: image_size channels patch dim depth heads mlp classes.
const std::vector<std::string> kArch = {"12", "1", "4", "16", "2", "2", "32", "3"};

// Runs tests/app/torch_interop.py (Debian's python3-torch) with `args`.
void python(std::vector<std::string> args, const std::string& log) {
  args.insert(args.begin(), std::string(EVOSTREAM_SOURCE_DIR) + "/tests/app/torch_interop.py");
  args.insert(args.end(), kArch.begin(), kArch.end());
  const int status = wait_for(spawn("/usr/bin/python3", args, log));
  INFO(slurp(log));
  INFO("the PyTorch side needs Debian's python3-torch: scripts/install-deps --test");
  REQUIRE(status == 0);
}

// Rows of logits: from numpy.savetxt's CSV, or the logit_* columns of predict --logits.
std::vector<std::vector<double>> logits_of(const std::string& text, bool predict_csv) {
  std::vector<std::vector<double>> rows;
  std::istringstream in(text);
  std::string line;
  if (predict_csv)
    std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream f(line);
    for (std::string v; std::getline(f, v, ',');)
      fields.push_back(v);
    std::vector<double> row;
    for (size_t i = predict_csv ? 5 : 0; i < fields.size(); ++i)
      row.push_back(std::stod(fields[i]));
    rows.push_back(row);
  }
  return rows;
}

// Equal classes, and every logit within 1e-4.
void check_same(const std::vector<std::vector<double>>& a,
                const std::vector<std::vector<double>>& b) {
  REQUIRE(a.size() == 16);
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].size() == 3);
    REQUIRE(b[i].size() == 3);
    const auto argmax = [](const std::vector<double>& v) {
      return std::max_element(v.begin(), v.end()) - v.begin();
    };
    CHECK(argmax(a[i]) == argmax(b[i]));
    for (size_t k = 0; k < 3; ++k)
      worst = std::max(worst, std::abs(a[i][k] - b[i][k]));
  }
  CHECK(worst < 1e-4);
}

std::string scenario(const std::string& dim) {
  return R"(name = "imported"
seed = 3
[datasets.shapes]
kind = "synthetic"
classes = 3
image_size = 12
train_per_class = 40
test_per_class = 10
seed = 4
[root]
source = "torch"
file = "vit.pt"
[root.architecture]
name = "vit-micro"
image_size = 12
patch = 4
dim = )" +
         dim + R"(
depth = 2
heads = 2
mlp = 32
[strategy]
name = "adapters"
task_steps = 40
batch_size = 16
validation_interval = 20
[[tasks]]
name = "shapes"
dataset = "shapes"
)";
}

}  // namespace

TEST_CASE("A ViT trained in PyTorch imports as the root and a task's path exports back",
          "[app][torch]") {
  TempDir d;
  python({"make", d.path()}, d.file("py.log"));
  write_text(d.file("s.toml"), scenario("16"));
  const std::string run = d.file("run");
  REQUIRE(run_cli("run " + d.file("s.toml") + " --out " + run + " --quiet").status == 0);

  // The imported root classifies PyTorch's images as PyTorch did.
  const CliResult root =
      run_cli("predict " + run + " --task root --logits " + d.file("images.npy"));
  REQUIRE(root.status == 0);
  check_same(logits_of(root.out, true), logits_of(slurp(d.file("logits.csv")), false));

  // The task's path (the frozen root, adapters and a head) loads strictly into the peer.
  const CliResult exported = run_cli("export " + run + " --task shapes --out " + d.file("t.pt"));
  REQUIRE(exported.status == 0);
  CHECK_THAT(exported.out, Contains("timm: VisionTransformer(img_size=12, patch_size=4, "
                                    "in_chans=1, embed_dim=16, depth=2, num_heads=2"));
  CHECK_THAT(exported.out, Contains("the path has adapters"));
  python({"predict", d.file("t.pt"), d.file("images.npy"), d.file("t.csv")}, d.file("py.log"));
  const CliResult task =
      run_cli("predict " + run + " --task shapes --logits " + d.file("images.npy"));
  REQUIRE(task.status == 0);
  check_same(logits_of(task.out, true), logits_of(slurp(d.file("t.csv")), false));

  // The same path as a component file, which h5py reads with str names and attributes.
  REQUIRE(run_cli("export " + run + " --task shapes --out " + d.file("t.h5")).status == 0);
  const auto set = evostream::storage::ComponentFile::read(d.file("t.h5"));
  CHECK(set.components.size() == 9);  // root parts, two adapters, a head
  CHECK(set.architecture.dim == 16);
  write_text(d.file("h5.py"), R"(import sys, h5py
f = h5py.File(sys.argv[1], "r")
g = f["components"]["root:block0"]
assert isinstance(g.attrs["id"], str) and g.attrs["id"] == "root/block0", g.attrs["id"]
assert isinstance(f.attrs["format"], str)
print(" ".join(f["components"]))
)");
  const int h5 =
      wait_for(spawn("/usr/bin/python3", {d.file("h5.py"), d.file("t.h5")}, d.file("h5.log")));
  INFO(slurp(d.file("h5.log")));
  CHECK(h5 == 0);
  CHECK_THAT(slurp(d.file("h5.log")), Contains("root:patch_embedding"));
}

TEST_CASE("A PyTorch root of another size, and bad export requests, are refused", "[app][torch]") {
  TempDir d;
  python({"make", d.path()}, d.file("py.log"));
  write_text(d.file("s.toml"), scenario("32"));
  const CliResult r = run_cli("run " + d.file("s.toml") + " --out " + d.file("run") + " --quiet");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("vit.pt: head.weight: expected a [classes, 32] weight with 2 to "
                             "65536 classes, found shape [3, 16]"));

  write_text(d.file("s.toml"), scenario("16"));
  const std::string run = d.file("run");
  REQUIRE(run_cli("run " + d.file("s.toml") + " --out " + run + " --quiet").status == 0);
  const CliResult csv = run_cli("export " + run + " --task shapes --out " + d.file("t.csv"));
  CHECK(csv.status == 1);
  CHECK_THAT(csv.err, Contains("--out: expected a file ending in .pt (PyTorch) or .h5"));
  const CliResult nope = run_cli("export " + run + " --task nope --out " + d.file("t.pt"));
  CHECK(nope.status == 1);
  CHECK_THAT(nope.err, Contains("--task: expected a task of run " + run + " (shapes, or root)"));
}
