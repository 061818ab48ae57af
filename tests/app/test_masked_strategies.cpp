#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

int run_to_end(const std::vector<std::string>& args, const std::string& log,
               const std::string& env = "") {
  return wait_for(spawn(EVOSTREAM_BINARY, args, log, env));
}

// The architecture table of a masked ViT with one block of width 16 on 7 × 7 patches.
const char* const kMaskedVit = R"([root.architecture]
family = "masked-vit"
patch = 7
dim = 16
depth = 1
heads = 2
mlp = 32
)";

// Three permuted Fashion-MNIST slices on a 784-32-32-10 random backbone (or `architecture`),
// a few steps each.
std::string masked_scenario(const std::string& strategy, const std::string& impresslearn = "",
                            const std::string& architecture = "") {
  std::string text =
      R"(name = "masked-smoke"
seed = 3
[root]
source = "init"
)" +
      (architecture.empty()
           ? std::string("[root.architecture]\nfamily = \"masked-fc\"\nhidden = [32, 32]\n")
           : architecture) +
      R"([strategy]
name = ")" +
      strategy +
      R"("
task_steps = 40
batch_size = 32
validation_interval = 20
[strategy.supsup]
learning_rate = 0.01
[strategy.impresslearn]
learning_rate = 0.01
impressions = 2
)" + impresslearn;
  for (int t = 0; t < 3; ++t) {
    text += "[[tasks]]\nname = \"permuted-" + std::to_string(t) +
            "\"\ndataset = \"fashion-mnist\"\nmax_train = 600\nmax_test = 300\n";
    if (t > 0)
      text += "permute_seed = " + std::to_string(t) + "\n";
  }
  return text;
}

std::string state_hash(const std::string& dir, const std::string& log) {
  REQUIRE(run_to_end({"inspect", dir, "--hash"}, log) == 0);
  return slurp(log);
}

nlohmann::json results(const std::string& dir) {
  return nlohmann::json::parse(slurp(dir + "/results.json"));
}

}  // namespace

TEST_CASE("SupSup and ImpressLearn runs killed in a snapshot resume to their uninterrupted state",
          "[app][crash][masked]") {
  for (const std::string strategy :
       {"supsup", "impresslearn", "homogeneous", "supsup-vit", "impresslearn-vit"}) {
    INFO(strategy);
    TempDir d;
    // ImpressLearn with homogeneous impressions: the first task learns both mask sets; the
    // -vit runs mask a random ViT.
    const bool vit = strategy.size() > 4 && strategy.substr(strategy.size() - 4) == "-vit";
    write_text(d.file("masked.toml"),
               strategy == "homogeneous"
                   ? masked_scenario("impresslearn", "source = \"homogeneous\"\n")
               : vit ? masked_scenario(strategy.substr(0, strategy.size() - 4), "", kMaskedVit)
                     : masked_scenario(strategy));
    REQUIRE(run_to_end({"run", d.file("masked.toml"), "--out", d.file("whole")}, d.file("log")) ==
            0);
    const std::string expected = state_hash(d.file("whole"), d.file("hash"));
    CHECK(run_to_end({"run", d.file("masked.toml"), "--out", d.file("run")}, d.file("log"),
                     "EVOSTREAM_KILL_IN_SNAPSHOT=2") == 128 + SIGKILL);
    REQUIRE(run_to_end({"resume", d.file("run")}, d.file("log")) == 0);
    CHECK(state_hash(d.file("run"), d.file("hash")) == expected);
    // Nothing shared changes: old tasks keep their exact predictions.
    const auto r = results(d.file("whole"));
    CHECK(r["bwt"].get<double>() == 0.0);
    for (const auto& t : r["tasks"])
      CHECK(t["predictions_identical"].get<bool>());
  }
}

TEST_CASE("SupSup commits bit-packed masks, and ImpressLearn's later tasks add K floats per layer",
          "[app][masked]") {
  TempDir d;
  write_text(d.file("supsup.toml"), masked_scenario("supsup"));
  REQUIRE(run_to_end({"run", d.file("supsup.toml"), "--out", d.file("s")}, d.file("log")) == 0);
  // One bit per weight: 784×32 + 32×32 + 10×32 bits, and the shapes.
  const int64_t bits = (784 * 32 + 7) / 8 + (32 * 32 + 7) / 8 + (10 * 32 + 7) / 8;
  for (const auto& t : results(d.file("s"))["tasks"]) {
    CHECK(t["params_added"].get<int64_t>() == bits + 3 * 2);
    CHECK(t["test_accuracy"].get<double>() > 0.5);
  }
  write_text(d.file("impress.toml"), masked_scenario("impresslearn"));
  REQUIRE(run_to_end({"run", d.file("impress.toml"), "--out", d.file("i")}, d.file("log")) == 0);
  const auto tasks = results(d.file("i"))["tasks"];
  CHECK(tasks[0]["params_added"].get<int64_t>() == bits + 3 * 2);
  CHECK(tasks[1]["params_added"].get<int64_t>() == bits + 3 * 2);
  // The third task combines the first two tasks' masks with 2 coefficients per layer.
  CHECK(tasks[2]["params_added"].get<int64_t>() == 3 * 2);
  // Its coefficients are in the results and drawn in the report.
  REQUIRE(tasks[2]["coefficients"].size() == 3);
  CHECK(tasks[2]["coefficients"][0].size() == 2);
  CHECK(tasks[0]["coefficients"].empty());
  CHECK_THAT(slurp(d.file("i") + "/report.html"), Contains("id=\"coefficients\""));
  REQUIRE(run_to_end({"inspect", d.file("i")}, d.file("inspect")) == 0);
  const std::string shown = slurp(d.file("inspect"));
  CHECK_THAT(shown, Contains("root/random_linear0 permuted-0/mask0@0 permuted-1/mask0@0 "
                             "permuted-2/alpha0@0"));
  // The masks' density and the coefficients are shown.
  CHECK_THAT(shown, Contains("masks: layer 0 keeps 50.0% of 25088"));
  CHECK_THAT(shown, Contains("α: layer 0 ["));
}

TEST_CASE("SupSup on a masked ViT commits a bit-packed mask of every linear layer",
          "[app][masked]") {
  TempDir d;
  write_text(d.file("vit.toml"), masked_scenario("supsup", "", kMaskedVit));
  REQUIRE(run_to_end({"tasks", d.file("vit.toml")}, d.file("log")) == 0);
  CHECK_THAT(slurp(d.file("log")), Contains("root masked-vit: 28×28×1 input, patch 7, dim 16, "
                                            "depth 1, heads 2, mlp 32; random linear layers"));
  REQUIRE(run_to_end({"run", d.file("vit.toml"), "--out", d.file("s")}, d.file("log")) == 0);
  // Patch projection 16×49, query/key/value 48×16, output 16×16, MLP 32×16 and 16×32, head
  // 10×16: one bit per weight, and two shape values per mask.
  const int64_t bits = (16 * 49 + 7) / 8 + (48 * 16 + 7) / 8 + (16 * 16 + 7) / 8 +
                       (32 * 16 + 7) / 8 + (16 * 32 + 7) / 8 + (10 * 16 + 7) / 8;
  for (const auto& t : results(d.file("s"))["tasks"]) {
    CHECK(t["params_added"].get<int64_t>() == bits + 6 * 2);
    CHECK(t["test_accuracy"].get<double>() > 0.3);
  }
}

TEST_CASE("Supermask strategies need the masked-fc family, and ViT strategies refuse it",
          "[app][masked]") {
  TempDir d;
  write_text(d.file("masked.toml"), masked_scenario("mu2net"));
  REQUIRE(run_to_end({"run", d.file("masked.toml"), "--out", d.file("a")}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")),
             Contains("root.architecture.family: strategy mu2net expected family vit, found "
                      "\"masked-fc\""));
  REQUIRE(run_to_end({"run", std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml",
                      "--strategy", "supsup", "--out", d.file("b")},
                     d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")),
             Contains("strategy supsup expected family masked-fc or masked-vit, found \"vit\""));
  // Homogeneous impressions share the budget: K must divide it.
  write_text(d.file("k2.toml"), masked_scenario("impresslearn", "source = \"homogeneous\"\n"));
  REQUIRE(run_to_end({"tasks", d.file("k2.toml"), "--set", "strategy.task_steps=41"},
                     d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")),
             Contains("expected a divisor of [strategy] task_steps (41) with source = "
                      "\"homogeneous\""));
  // Simulated trainers model the ViT only.
  write_text(d.file("sim.toml"), masked_scenario("supsup") + "[trainers]\nkind = \"simulated\"\n");
  REQUIRE(run_to_end({"tasks", d.file("sim.toml")}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")),
             Contains("trainers.kind: \"simulated\" models the vit family, found family "
                      "\"masked-fc\""));
  // Task inference superimposes the tasks' heads: their classes must agree.
  std::string unequal = masked_scenario("supsup") + "[evaluation]\ntask_labels = false\n";
  unequal += "[[tasks]]\nname = \"pairs\"\ndataset = \"fashion-mnist\"\nclasses = [0, 1]\n";
  write_text(d.file("unequal.toml"), unequal);
  REQUIRE(run_to_end({"tasks", d.file("unequal.toml")}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")),
             Contains("evaluation.task_labels: false needs tasks of equal classes (inference "
                      "superimposes their heads): task pairs has 2, task permuted-0 has 10"));
  std::string trained = masked_scenario("supsup");
  trained.replace(trained.find("source = \"init\""), 15, "source = \"train\"");
  write_text(d.file("trained.toml"), trained);
  REQUIRE(run_to_end({"tasks", d.file("trained.toml")}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("expected \"init\" with family = \"masked-fc\""));
}

TEST_CASE("Without task labels SupSup infers each test batch's task from the images",
          "[app][masked]") {
  for (const std::string inference : {"entropy", "oneshot", "binary"}) {
    INFO(inference);
    TempDir d;
    write_text(d.file("masked.toml"), masked_scenario("supsup") +
                                          "[evaluation]\ntask_labels = false\ninference = \"" +
                                          inference + "\"\ninference_batch = 64\n");
    REQUIRE(run_to_end({"run", d.file("masked.toml"), "--out", d.file("run")}, d.file("log")) == 0);
    CHECK_THAT(slurp(d.file("log")), Contains("without task labels: task inferred for"));
    CHECK_THAT(slurp(d.file("run") + "/report.html"), Contains("id=\"task-inference\""));
    const auto r = results(d.file("run"));
    CHECK(r["task_inference_accuracy"].get<double>() >= 0.9);
    for (const auto& t : r["tasks"]) {
      // A correctly inferred batch is predicted by the task's own path.
      if (t["task_inference_accuracy"].get<double>() == 1.0)
        CHECK(t["inferred_accuracy"].get<double>() == t["test_accuracy"].get<double>());
    }
    REQUIRE(run_to_end({"compare", d.file("run")}, d.file("compare")) == 0);
    CHECK_THAT(slurp(d.file("compare")), Contains("task inference %"));
  }
  // ImpressLearn's coefficients fitted to each unlabelled batch: an accuracy, no task chosen.
  {
    TempDir d;
    write_text(d.file("fit.toml"),
               masked_scenario("impresslearn") +
                   "[evaluation]\ntask_labels = false\ninference = \"fit\"\nfit_steps = 5\n");
    REQUIRE(run_to_end({"run", d.file("fit.toml"), "--out", d.file("run")}, d.file("log")) == 0);
    CHECK_THAT(slurp(d.file("log")), Contains("coefficients fitted to each test batch"));
    const auto r = results(d.file("run"));
    CHECK(r["task_inference_accuracy"].is_null());
    CHECK(r["inferred_average_accuracy"].get<double>() > 0.0);
    CHECK_THAT(slurp(d.file("run") + "/report.html"), Contains("fitted to it (no task chosen)"));
    REQUIRE(
        run_to_end({"run", d.file("fit.toml"), "--strategy", "supsup", "--out", d.file("other")},
                   d.file("log")) == 1);
    CHECK_THAT(slurp(d.file("log")), Contains("expected strategy impresslearn, found supsup"));
  }
  // Only the masked-fc family can infer tasks.
  TempDir d;
  write_text(d.file("vit.toml"), slurp(std::string(EVOSTREAM_SOURCE_DIR) + "/configs/smoke.toml") +
                                     "\n[evaluation]\ntask_labels = false\n");
  REQUIRE(run_to_end({"tasks", d.file("vit.toml")}, d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")),
             Contains("evaluation.task_labels: expected true with family \"vit\""));
}
