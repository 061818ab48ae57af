#include <signal.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/test_files.hpp"

using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// The smoke stream on a moe-vit root (6 experts, top 2) learned by Mod-Squad.
const std::vector<std::string> kModSquad = {"--strategy", "mod-squad",
                                            "--set",      "root.architecture.family=\"moe-vit\"",
                                            "--set",      "root.architecture.experts=6",
                                            "--set",      "root.architecture.top_k=2"};

std::vector<std::string> args(std::vector<std::string> head) {
  head.insert(head.end(), kModSquad.begin(), kModSquad.end());
  return head;
}

// Extracts task b-rotated of d/whole keeping every expert its router ever selects (`--thresh
// 0`) into d/b.h5; returns what the command said.
std::string extract_every_expert(TempDir& d) {
  REQUIRE(run_to_exit({"extract", d.file("whole"), "--task", "b-rotated", "--out", d.file("b.h5"),
                       "--thresh", "0"},
                      d.file("log")) == 0);
  return slurp(d.file("log"));
}

// What `extract` said of the test split: (images, extracted %, whole model %, same predictions).
std::smatch extraction_figures(const std::string& said) {
  std::smatch m;
  REQUIRE(std::regex_search(
      said, m,
      std::regex(R"(test split \((\d+) images\): extracted ([0-9.]+)%, whole model ([0-9.]+)%; )"
                 R"(same prediction on (\d+) )")));
  return m;
}

// Runs the smoke stream with `extra` options whole into d/whole and again killed in snapshot 2,
// then resumed, into d/run; checks that the resumed run ends in the whole run's state hash.
void check_resumes_whole(TempDir& d, const std::vector<std::string>& extra) {
  auto run = [&](const std::string& out) {
    auto a = args({"run", config("smoke.toml"), "--out", out});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  REQUIRE(run_to_exit(run(d.file("whole")), d.file("log")) == 0);
  const std::string expected = inspect_hash(d.file("whole"), d.file("hash"));
  CHECK(run_to_exit(run(d.file("run")), d.file("log"), "EVOSTREAM_KILL_IN_SNAPSHOT=2") ==
        128 + SIGKILL);
  REQUIRE(run_to_exit({"resume", d.file("run")}, d.file("log")) == 0);
  CHECK(inspect_hash(d.file("run"), d.file("hash")) == expected);
}

}  // namespace

TEST_CASE("A Mod-Squad run killed in a snapshot resumes to its uninterrupted state, BWT 0",
          "[app][crash][mod-squad]") {
  TempDir d;
  check_resumes_whole(d, {});

  const auto r = nlohmann::json::parse(slurp(d.file("whole") + "/results.json"));
  CHECK(r["bwt"].get<double>() == 0.0);
  CHECK_FALSE(r["offline"].get<bool>());
  const auto& tasks = r["tasks"];
  for (const auto& t : tasks)
    CHECK(t["predictions_identical"].get<bool>());
  // The first task trains a copy of the root; each later one adds 2 experts to block 1, beside
  // every earlier task's (frozen), with a router over all of them.
  const auto ids = [&](size_t t) { return tasks[t]["path"]["components"]; };
  CHECK(ids(0)[6] == "b-all/experts1@0");
  CHECK(ids(2)[6] == "b-all/experts1@0");
  CHECK(ids(2)[7] == "a-pairs/experts1@0");
  CHECK(ids(2)[8] == "b-rotated/experts1@0");
  CHECK(ids(2)[9] == "b-rotated/router1@0");
  // What a later task adds: 2 experts (2 × (16·16 + 16 + 16·16 + 16) with dim 16, mlp 32 /
  // top 2), a router over 6 + 2·t experts and its top_k, a task embedding, a head and its
  // usage (2 floats per expert).
  const int64_t experts = 2 * (16 * 16 + 16 + 16 * 16 + 16);
  CHECK(tasks[1]["params_added"].get<int64_t>() ==
        experts + 8 * 16 + 1 + 16 + (2 * 16 + 2) + 2 * 8);
  CHECK(tasks[2]["params_added"].get<int64_t>() ==
        experts + 10 * 16 + 1 + 16 + (4 * 16 + 4) + 2 * 10);
  // A token uses 2 of the 10 experts of b-rotated's MoE block.
  CHECK(tasks[2]["active_params"].get<int64_t>() ==
        tasks[2]["path_params"].get<int64_t>() - 8 * experts / 2);
  // Which experts each task's router selected: one MoE layer, a share per expert summing to 1.
  for (size_t t = 0; t < 3; ++t) {
    INFO("task " << t);
    const auto& usage = tasks[t]["expert_usage"];
    REQUIRE(usage.size() == 1);
    CHECK(tasks[t]["expert_layers"] == nlohmann::json({"mlp"}));
    CHECK(usage[0].size() == 6 + 2 * t);
    double sum = 0.0;
    for (const auto& share : usage[0])
      sum += share.get<double>();
    CHECK(sum == Approx(1.0).epsilon(1e-6));
  }
  const std::string report = slurp(d.file("whole") + "/report.html");
  CHECK_THAT(report, Contains("<h2>Expert usage</h2>") && Contains("id=\"expert-usage\"") &&
                         Contains("<title>b-rotated, L1 e9: "));
  // How the committed candidates trained: the MI term only once a task has earlier ones.
  CHECK_THAT(report, Contains("<h2>Training of the committed candidates</h2>") &&
                         Contains("<b>Loss term: mutual information</b>") &&
                         Contains("<b>Loss term: cross-entropy</b>"));

  // A task's standalone model: the experts its router selected, predicting as the whole model.
  const std::string said = extract_every_expert(d);
  INFO(said);
  CHECK_THAT(said, Contains("MoE layer 0: kept ") && Contains(" of 10 experts (") &&
                       Contains("wrote the extracted model of task b-rotated to "));
  std::smatch m = extraction_figures(said);
  CHECK(m[4].str() == m[1].str());
  CHECK(m[2].str() == m[3].str());
  REQUIRE(std::regex_search(said, m,
                            std::regex(R"(parameters: extracted (\d+) .* task's path (\d+),)")));
  CHECK(std::stoll(m[1].str()) < std::stoll(m[2].str()));

  REQUIRE(run_to_exit({"extract", d.file("whole"), "--task", "b-rotated", "--out", d.file("b.pt")},
                      d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("--out: expected a component file ending in .h5"));
  REQUIRE(run_to_exit({"extract", d.file("whole"), "--task", "root", "--out", d.file("r.h5")},
                      d.file("log")) == 1);
  CHECK_THAT(slurp(d.file("log")), Contains("--task: expected a task of the run, found root"));
  REQUIRE(run_to_exit({"extract", d.file("whole"), "--task", "b-rotated", "--out", d.file("b.h5"),
                       "--thresh", "-1"},
                      d.file("log")) != 0);
  CHECK_THAT(slurp(d.file("log")), Contains("--thresh"));
}

TEST_CASE("A joint Mod-Squad run killed in a snapshot resumes to its uninterrupted state",
          "[app][crash][mod-squad][joint]") {
  TempDir d;
  auto joint = [&](std::vector<std::string> head) {
    auto out = args(std::move(head));
    out.insert(out.end(), {"--set", "strategy.mod-squad.mode=\"joint\""});
    return out;
  };
  REQUIRE(run_to_exit(joint({"run", config("smoke.toml"), "--out", d.file("whole")}),
                      d.file("log")) == 0);
  const std::string expected = inspect_hash(d.file("whole"), d.file("hash"));
  // Killed while the joint training's commit is written, and after it.
  for (const char* kill : {"EVOSTREAM_KILL_IN_SNAPSHOT=1", "EVOSTREAM_KILL_IN_SNAPSHOT=2"}) {
    INFO(kill);
    const std::string run = d.file(std::string("run-") + kill[std::strlen(kill) - 1]);
    CHECK(run_to_exit(joint({"run", config("smoke.toml"), "--out", run}), d.file("log"), kill) ==
          128 + SIGKILL);
    REQUIRE(run_to_exit({"resume", run}, d.file("log")) == 0);
    CHECK(inspect_hash(run, d.file("hash")) == expected);
  }

  const auto r = nlohmann::json::parse(slurp(d.file("whole") + "/results.json"));
  CHECK(r["bwt"].get<double>() == 0.0);
  const auto& tasks = r["tasks"];
  REQUIRE(tasks.size() == 3);
  // One model trained on the whole stream at the first visit: every path shares its trunk and
  // experts, each task with its own router, task embedding and head cut from the joint ones.
  for (size_t t = 0; t < 3; ++t) {
    INFO("task " << t);
    const std::string name = tasks[t]["name"];
    const auto& ids = tasks[t]["path"]["components"];
    CHECK(ids[5] == "b-all/moe_block1@0");
    CHECK(ids[6] == "b-all/experts1@0");
    CHECK(ids[3] == "b-all/task_embedding@joint." + name);
    CHECK(ids[7] == "b-all/router1@joint." + name);
    CHECK(ids[9] == "b-all/head@joint." + name);
    CHECK(tasks[t]["predictions_identical"].get<bool>());
    CHECK(tasks[t]["expert_usage"][0].size() == 6);
    if (t > 0)
      CHECK(tasks[t]["params_added"].get<int64_t>() == 0);
  }
  const std::string report = slurp(d.file("whole") + "/report.html");
  CHECK_THAT(report,
             Contains("<h2>Expert usage</h2>") &&
                 Contains("<b>Loss term: mutual information</b>") &&
                 Contains("Offline upper bound: mod-squad trained one model on every task"));
  CHECK(r["offline"].get<bool>());
  REQUIRE(run_to_exit({"extract", d.file("whole"), "--task", "a-pairs", "--out", d.file("a.h5")},
                      d.file("log")) == 0);
  CHECK_THAT(slurp(d.file("log")), Contains("wrote the extracted model of task a-pairs to "));
}

TEST_CASE("Mod-Squad needs the moe-vit family, whose keys are checked", "[app][mod-squad]") {
  TempDir d;
  // `tasks` on the smoke scenario with `sets` (KEY=VALUE each): its exit code and what it said.
  auto tasks = [&](const std::vector<std::string>& sets) {
    std::vector<std::string> a = {"tasks", config("smoke.toml")};
    for (const auto& set : sets)
      a.insert(a.end(), {"--set", set});
    const int code = run_to_exit(a, d.file("log"));
    return std::make_pair(code, slurp(d.file("log")));
  };
  const std::string moe = "root.architecture.family=\"moe-vit\"";
  const std::string mod_squad = "strategy.name=\"mod-squad\"";
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{mod_squad},
       "root.architecture.family: strategy mod-squad expected family moe-vit, found \"vit\""},
      {{moe, "root.architecture.top_k=20"}, "top_k: expected at most experts = 16, found 20"},
      {{moe, "root.architecture.top_k=3"},
       "top_k: expected a divisor of mlp 32 (each expert is mlp / top_k wide), found 3"},
      {{moe, "root.architecture.moe_every=3"}, "moe_every: expected at most depth = 2"},
      {{mod_squad, moe, "strategy.mod-squad.new_experts=-1"}, "new_experts"},
      {{mod_squad, moe, "strategy.mod-squad.mode=\"both\""}, "mode: expected one of"},
      {{moe, "root.architecture.attention_experts=1"},
       "attention_experts: expected 0 or at least heads = 2 (each token uses one attention "
       "expert per head), found 1"},
      {{moe, "root.architecture.attention_experts=4", "root.architecture.moe_every=1"},
       "attention_experts: expected 0 with moe_every = 1 (attention mixtures sit in the blocks "
       "whose MLP is dense"},
  };
  for (const auto& [sets, says] : refused) {
    INFO(sets.back());
    const auto [code, said] = tasks(sets);
    CHECK(code == 1);
    CHECK_THAT(said, Contains(says));
  }
  const auto [code, said] = tasks({mod_squad, moe, "root.architecture.attention_experts=4"});
  CHECK(code == 0);
  CHECK_THAT(said, Contains("MoE blocks 1: 16 experts of width 8, top 4; attention mixtures in "
                            "the others: 4 experts of width 8, top 2"));
}

TEST_CASE("A Mod-Squad run with attention mixtures keeps every earlier prediction and resumes",
          "[app][crash][mod-squad][attention]") {
  TempDir d;
  check_resumes_whole(d, {"--set", "root.architecture.attention_experts=4"});

  const auto r = nlohmann::json::parse(slurp(d.file("whole") + "/results.json"));
  CHECK(r["bwt"].get<double>() == 0.0);
  const auto& tasks = r["tasks"];
  REQUIRE(tasks.size() == 3);
  // Block 0's attention is a mixture: each later task adds 2 attention experts beside the
  // earlier tasks' and a router over all of them, as it does to block 1's MLP.
  const auto& ids = tasks[2]["path"]["components"];
  CHECK(ids[4] == "b-all/attention_moe_block0@0");
  CHECK(ids[5] == "b-all/attention_experts0@0");
  CHECK(ids[6] == "a-pairs/attention_experts0@0");
  CHECK(ids[7] == "b-rotated/attention_experts0@0");
  CHECK(ids[8] == "b-rotated/router0@0");
  for (size_t t = 0; t < 3; ++t) {
    INFO("task " << t);
    CHECK(tasks[t]["predictions_identical"].get<bool>());
    const auto& usage = tasks[t]["expert_usage"];
    REQUIRE(usage.size() == 2);  // the attention mixture, then the MLP mixture
    CHECK(usage[0].size() == 4 + 2 * t);
    CHECK(usage[1].size() == 6 + 2 * t);
    CHECK(tasks[t]["expert_layers"] == nlohmann::json({"attention", "mlp"}));
  }
  CHECK_THAT(slurp(d.file("whole") + "/report.html"),
             Contains("L1 mixes attention experts (query and output projections)"));
  const std::string said = extract_every_expert(d);
  INFO(said);
  CHECK_THAT(said, Contains("MoE layer 0: kept ") && Contains(" of 8 experts (") &&
                       Contains("MoE layer 1: kept ") && Contains(" of 10 experts ("));
  std::smatch m = extraction_figures(said);
  CHECK(m[4].str() == m[1].str());
}
