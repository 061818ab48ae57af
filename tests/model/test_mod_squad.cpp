#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "model/core/parameter_store.hpp"
#include "model/core/path.hpp"
#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/moe/moe_family.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/nn/vit/vit_family.hpp"
#include "model/strategies/joint/joint_data.hpp"
#include "model/strategies/joint/joint_loss.hpp"
#include "model/strategies/mod_squad/expert_extraction.hpp"
#include "model/strategies/mod_squad/expert_usage.hpp"
#include "model/strategies/mod_squad/joint_mod_squad_loss.hpp"
#include "model/strategies/mod_squad/mod_squad_strategy.hpp"
#include "model/strategies/mod_squad/mutual_information.hpp"
#include "model_fixtures.hpp"
#include "streams/batch_sampler.hpp"

using namespace evostream;
using namespace evostream::model;
using Catch::Matchers::Contains;
using evostream::testing::moe_arch;
using evostream::testing::raw;
using evostream::testing::remade;
using evostream::testing::synthetic_task;

namespace {

// −MI of a joint given by its rows P(e | t), written out term by term.
double by_hand(const std::vector<std::vector<double>>& rows) {
  const size_t tasks = rows.size();
  size_t experts = 0;
  for (const auto& r : rows)
    experts = std::max(experts, r.size());
  std::vector<std::vector<double>> joint(tasks, std::vector<double>(experts, 0.0));
  std::vector<double> p_t(tasks, 1e-4);
  std::vector<double> p_e(experts, 1e-4);
  for (size_t t = 0; t < tasks; ++t) {
    for (size_t e = 0; e < rows[t].size(); ++e) {
      joint[t][e] = rows[t][e] / static_cast<double>(tasks);
      p_t[t] += joint[t][e];
      p_e[e] += joint[t][e];
    }
  }
  double out = 0.0;
  for (size_t t = 0; t < tasks; ++t) {
    for (size_t e = 0; e < experts; ++e)
      out -= joint[t][e] * std::log(joint[t][e] / (p_t[t] * p_e[e]) + 1e-4);
  }
  return out;
}

at::Tensor row(const std::vector<double>& v) {
  return at::tensor(v, at::kDouble).to(at::kFloat);
}

// `root` as a joint model of `tasks` tasks with `classes` classes in all: its task embedding
// and router repeated once per task, a zero head over every class.
std::vector<Component> joint_model(const std::vector<Component>& root, int64_t tasks,
                                   int64_t classes) {
  std::vector<Component> out;
  for (const auto& c : root) {
    if (c.kind() == ComponentKind::kTaskEmbedding)
      out.push_back(remade(c, {c.tensor("embedding").repeat({tasks, 1, 1})}));
    else if (c.kind() == ComponentKind::kRouter)
      out.push_back(remade(c, {c.tensor("weight").repeat({tasks, 1}), c.tensor("top_k")}));
    else if (c.kind() == ComponentKind::kHead)
      out.push_back(VitFactory::head(c.id(), c.owner(), 16, classes));
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace

TEST_CASE("The MI term is Mod-Squad's formula over the tasks' rows, padded for newer experts",
          "[model][moe][mod-squad]") {
  const std::vector<std::vector<double>> rows = {{0.7, 0.2, 0.1}, {0.1, 0.1, 0.3, 0.5}};
  const double got =
      MutualInformationLoss::negative_mi({row(rows[0]), row(rows[1])}).item<double>();
  CHECK(got == Approx(by_hand(rows)).epsilon(1e-5));
  // Tasks on disjoint experts share log 2 nats; tasks on the same experts share none.
  const double disjoint =
      MutualInformationLoss::negative_mi({row({1, 0}), row({0, 0, 1})}).item<double>();
  CHECK(disjoint == Approx(-std::log(2.0)).margin(2e-3));
  const double same =
      MutualInformationLoss::negative_mi({row({0.5, 0.5}), row({0.5, 0.5})}).item<double>();
  CHECK(same == Approx(0.0).margin(1e-3));
}

TEST_CASE("The MI loss pulls a new task's router away from the experts earlier tasks use",
          "[model][moe][mod-squad]") {
  // Earlier tasks used experts 0 and 1; the new task's router starts uniform over 4.
  const config::ArchitectureSpec a = moe_arch(4);
  auto root = MoeFactory::root(a, 3, "root", 3);
  for (auto& c : root) {
    if (c.kind() == ComponentKind::kRouter)
      c.tensor("weight").requires_grad_(true);
  }
  std::vector<const Component*> path;
  const Component* router = nullptr;
  for (const auto& c : root) {
    path.push_back(&c);
    if (c.kind() == ComponentKind::kRouter)
      router = &c;
  }
  const auto f = MoeVitFamily(2).bind(path);
  const at::Tensor images = at::rand({6, 1, 8, 8});
  const at::Tensor logits = f->forward(images);
  const at::Tensor labels = at::zeros({6}, at::kLong);
  const std::vector<Component> none;
  const at::Tensor features;
  const FeaturesOf features_of;
  const MutualInformationLoss loss({{row({0.5, 0.5, 0, 0}), row({0.6, 0.4})}}, 10.0);
  LossTerms terms;
  const at::Tensor l =
      loss.loss({logits, labels, none, features, features, 0, features_of, f.get(), &terms});
  const at::Tensor ce = at::cross_entropy_loss(logits, labels);
  CHECK(l.item<double>() < ce.item<double>());  // −MI is negative
  // Its terms: cross-entropy, and MI before w_mi; the loss is CE − w_mi · MI.
  REQUIRE(terms.size() == 2);
  CHECK(terms.at("cross-entropy") == ce.item<double>());
  CHECK(terms.at("mutual information") > 0.0);
  CHECK(l.item<double>() ==
        Approx(terms.at("cross-entropy") - 10.0 * terms.at("mutual information")).epsilon(1e-6));
  const auto unused = [](const Routing& r) {
    const at::Tensor p = r.probability_sums[0].detach();
    return (p[2] + p[3]).item<double>() / p.sum().item<double>();
  };
  const double before = unused(*f->routing());
  CHECK(before == Approx(0.5));
  l.backward();
  const at::Tensor g = router->tensor("weight").grad();
  REQUIRE(g.defined());
  // One descent step moves the new task's probability to the experts nobody used.
  const Component stepped = router->with_tensors(
      {(router->tensor("weight") - 1.0 * g).detach(), router->tensor("top_k")});
  for (auto& c : path) {
    if (c == router)
      c = &stepped;
  }
  const auto after = MoeVitFamily(2).bind(path);
  after->forward(images);
  CHECK(unused(*after->routing()) > before + 1e-3);

  // Without routing the loss says what it expected.
  auto dense = a;
  dense.family = "vit";
  const auto vit = VitFactory::root(dense, 3, "root", 3);
  const auto vf = vit_family(2)->bind(raw(vit));
  const at::Tensor vl = vf->forward(at::rand({2, 1, 8, 8}));
  const at::Tensor vlab = at::zeros({2}, at::kLong);
  CHECK_THROWS_WITH(loss.loss({vl, vlab, none, features, features, 0, features_of, vf.get()}),
                    Contains("expected a moe-vit path routing 1 MoE blocks, found 0"));
}

TEST_CASE("Expert usage averages a path's routing over a task's images",
          "[model][moe][mod-squad]") {
  const config::ArchitectureSpec a = moe_arch(4);
  const auto root = MoeFactory::root(a, 3, "root", 3);
  const auto f = MoeVitFamily(2).bind(raw(root));
  const auto task = synthetic_task("usage", 1, 3);
  const ExpertUsage u = ExpertUsage::measure(*f, task.train, 100, 32);
  REQUIRE(u.probability.size() == 1);
  // A zero router: uniform probabilities (plus Mod-Squad's 1e-4), ties to experts 0 and 1.
  CHECK(u.probability[0][0].item<double>() == Approx(0.25 + 1e-4));
  CHECK(u.selected[0][0].item<double>() == Approx(0.5));
  CHECK(u.selected[0][2].item<double>() == 0.0);
  CHECK(u.selected[0].sum().item<double>() == Approx(1.0));
}

TEST_CASE("Extraction keeps the experts above thresh / k percent, else the top k",
          "[model][moe][mod-squad][extract]") {
  const at::Tensor share = row({0.5, 0.004, 0.3, 0.196});
  // thresh 3, top 2: more than 1.5% of the selections.
  CHECK(ExpertExtraction::keep(share, 2, 3.0) == std::vector<int64_t>{0, 2, 3});
  CHECK(ExpertExtraction::keep(share, 2, 0.0) == std::vector<int64_t>{0, 1, 2, 3});
  // None above 50%: the 2 most selected, in the router's order.
  CHECK(ExpertExtraction::keep(share, 2, 100.0) == std::vector<int64_t>{0, 2});
  // Equal shares go to the lower experts, as the routing's ties do.
  CHECK(ExpertExtraction::keep(row({0.25, 0.25, 0.25, 0.25}), 2, 200.0) ==
        std::vector<int64_t>{0, 1});
  CHECK(ExpertExtraction::keep(row({0.0, 0.0, 1.0}), 2, 3.0) == std::vector<int64_t>{0, 2});
}

namespace {

// A task "t" on a small moe-vit root with 8 experts whose router is random (so that tokens
// spread over the experts), its usage measured on `images`.
struct RoutedTask {
  ParameterStore store;
  Path path;
  std::vector<Component> components;

  explicit RoutedTask(const streams::ImageSet& images, bool with_usage = true) {
    config::ArchitectureSpec a = moe_arch(4);
    a.experts = 8;
    components = MoeFactory::root(a, 3, "t", 5);
    for (auto& c : components) {
      if (c.kind() != ComponentKind::kRouter)
        continue;
      at::manual_seed(9);
      c = c.with_tensors({at::randn(c.tensor("weight").sizes()) * 2.0, c.tensor("top_k")});
    }
    const auto f = MoeVitFamily(2).bind(raw(components));
    const ExpertUsage u = ExpertUsage::measure(*f, images, images.size(), 64);
    std::vector<Component> all = components;
    for (const auto& c : components) {
      if (with_usage && c.kind() == ComponentKind::kRouter) {
        all.emplace_back(ModSquadStrategy::usage_id(c.id()), ComponentKind::kExpertUsage, c.index(),
                         "t", c.id(), std::vector<std::string>{"probability", "selected"},
                         std::vector<at::Tensor>{u.probability[0], u.selected[0]});
      }
      path.ids.push_back(c.id());
    }
    path.name = "t@0";
    path.task = "t";
    store.commit("t", all);
  }
};

at::Tensor logits_of(const std::vector<const Component*>& path, const streams::ImageSet& set) {
  at::NoGradGuard no_grad;
  at::Tensor x = at::empty({set.size(), set.channels(), set.height(), set.width()});
  streams::BatchSampler::to_float(set, 0, set.size(), x.data_ptr<float>());
  return MoeVitFamily(2).bind(path)->forward(x);
}

}  // namespace

TEST_CASE("An extracted task predicts bit-identically on images routed to kept experts only",
          "[model][moe][mod-squad][extract]") {
  const auto task = synthetic_task("extract", 4, 3);
  // Usage measured on the test split itself: thresh 0 keeps every expert those images chose.
  const RoutedTask t(task.test);
  const ExpertExtraction x = ExpertExtraction::extract(t.store, t.path, 0.0);
  REQUIRE(x.kept.size() == 1);
  CHECK(x.experts[0] == 8);
  REQUIRE(x.kept[0].size() >= 2);
  REQUIRE(x.kept[0].size() < 8);  // some experts no test image chose, so dropped
  const at::Tensor whole = logits_of(raw(t.components), task.test);
  const at::Tensor alone = logits_of(raw(x.components), task.test);
  CHECK(at::equal(whole, alone));
  // One expert group of the kept experts, sliced out in the router's order, and the router
  // with its whole weight and the kept rows.
  const auto layout = MoeVitLayout::of(raw(x.components));
  REQUIRE(layout.blocks[1].experts.size() == 1);
  const Component& g = *layout.blocks[1].experts[0];
  CHECK(g.id() == "t/experts1@extracted");
  const at::Tensor first = t.store.get(t.path.ids[6])->tensor("fc2.weight");
  CHECK(at::equal(g.tensor("fc2.weight")[1], first[x.kept[0][1]]));
  CHECK(at::equal(*MoeVitLayout::kept(*layout.blocks[1].router), at::tensor(x.kept[0], at::kLong)));
  int64_t whole_params = 0;
  int64_t extracted = 0;
  for (const auto& c : t.components)
    whole_params += c.num_params();
  for (const auto& c : x.components)
    extracted += c.num_params();
  CHECK(extracted < whole_params);
  // Fewer active router rows are not counted: the router still scores every expert.
  CHECK(MoeVitFamily(2).forward_flops(raw(x.components), 8) ==
        MoeVitFamily(2).forward_flops(raw(t.components), 8));
}

TEST_CASE("Extraction refuses paths that are not Mod-Squad's and bad thresholds",
          "[model][moe][mod-squad][extract]") {
  const auto task = synthetic_task("extract", 4, 3);
  const RoutedTask no_usage(task.test, false);
  CHECK_THROWS_WITH(ExpertExtraction::extract(no_usage.store, no_usage.path, 3.0),
                    Contains("router t/router1 has no stored expert usage") &&
                        Contains("expected a task learned by strategy mod-squad"));
  const RoutedTask t(task.test);
  CHECK_THROWS_WITH(ExpertExtraction::extract(t.store, t.path, -1.0),
                    Contains("--thresh: expected a share threshold of at least 0, found -1"));
  ParameterStore vit;
  Path p;
  p.task = "v";
  for (auto& c : VitFactory::root(testing::micro_arch(), 3, "v", 1)) {
    p.ids.push_back(c.id());
    vit.commit("v", {c});
  }
  CHECK_THROWS_WITH(ExpertExtraction::extract(vit, p, 3.0),
                    Contains("task v: expected a moe-vit path"));
}

TEST_CASE("A router's kept rows must be ascending rows of it, one per expert",
          "[model][moe][mod-squad][extract]") {
  const auto task = synthetic_task("extract", 4, 3);
  const RoutedTask t(task.test);
  ExpertExtraction x = ExpertExtraction::extract(t.store, t.path, 0.0);
  const size_t r = x.components.size() - 3;  // the router, before the final norm and head
  REQUIRE(x.components[r].kind() == ComponentKind::kRouter);
  const int64_t kept = static_cast<int64_t>(x.kept[0].size());
  auto with_kept = [&](at::Tensor rows) {
    auto cs = x.components;
    cs[r] = cs[r].with_tensors({cs[r].tensor("weight"), cs[r].tensor("top_k"), rows});
    return cs;
  };
  const auto descending = with_kept(at::arange(kept - 1, -1, -1, at::kLong));
  CHECK_THROWS_WITH(MoeVitLayout::of(raw(descending)),
                    Contains("tensor kept expected " + std::to_string(kept) +
                             " ascending int64 rows of its 8 router rows"));
  const auto beyond = with_kept(at::arange(8 - kept + 1, 9, at::kLong));
  CHECK_THROWS_WITH(MoeVitLayout::of(raw(beyond)), Contains("ascending int64 rows"));
  const auto floats = with_kept(at::arange(0, kept, at::kFloat));
  CHECK_THROWS_WITH(MoeVitLayout::of(raw(floats)), Contains("ascending int64 rows"));
}

TEST_CASE("Joint Mod-Squad's MI term is Mod-Squad's formula over the step's tasks",
          "[model][moe][mod-squad][joint]") {
  const auto joint = joint_model(MoeFactory::root(moe_arch(4), 3, "root", 3), 3, 6);
  const auto f = MoeVitFamily(2).bind(raw(joint));
  const at::Tensor images = at::rand({5, 1, 8, 8});
  const std::vector<int64_t> offsets = {0, 2, 4, 6};
  const at::Tensor labels = at::tensor(std::vector<int64_t>{0, 1, 2, 1, 3}, at::kLong);
  // Tasks 0 and 1 in this minibatch; task 2 has no example and no row.
  const at::Tensor tasks = at::tensor(std::vector<int64_t>{0, 0, 1, 0, 1}, at::kLong);
  const at::Tensor features = f->task_features_after_prefix(images, tasks);
  const at::Tensor logits = f->head(features);
  const std::vector<Component> none;
  const FeaturesOf features_of;
  LossTerms terms;
  const at::Tensor l =
      JointModSquadLoss(offsets, 0.5)
          .loss({logits, labels, none, features, images, 0, features_of, f.get(), &terms});
  const at::Tensor ce =
      JointLoss(offsets).loss({logits, labels, none, features, images, 0, features_of, f.get()});
  // The class token is the only token the last (MoE) block routes: one per example.
  const Routing& r = *f->routing();
  const at::Tensor p = r.task_probability_sums[0].detach();
  std::vector<std::vector<double>> rows;
  for (int64_t t = 0; t < 2; ++t) {
    const double n = t == 0 ? 3.0 : 2.0;
    CHECK(r.task_tokens[0][t].item<int64_t>() == static_cast<int64_t>(n));
    std::vector<double> v;
    for (int64_t e = 0; e < 4; ++e)
      v.push_back(p[t][e].item<double>() / n);
    rows.push_back(v);
  }
  CHECK(r.task_tokens[0][2].item<int64_t>() == 0);
  CHECK(l.item<double>() == Approx(ce.item<double>() + 0.5 * by_hand(rows)).epsilon(1e-5));
  CHECK(terms.at("mutual information") == Approx(-by_hand(rows)).epsilon(1e-5));
  CHECK(terms.at("cross-entropy") == Approx(ce.item<double>()));

  // A pass of one task has no joint to measure.
  const auto one_task = MoeFactory::root(moe_arch(4), 6, "root", 3);
  const auto single = MoeVitFamily(2).bind(raw(one_task));
  const at::Tensor own = single->forward(images);
  CHECK_THROWS_WITH(JointModSquadLoss(offsets, 0.5)
                        .loss({own, labels, none, features, images, 0, features_of, single.get()}),
                    Contains("expected a joint moe-vit model routing several tasks, found a pass "
                             "of one task"));
}

TEST_CASE("A joint Mod-Squad model trains every task's router on the union of the tasks",
          "[model][moe][mod-squad][joint]") {
  const std::vector<streams::TaskData> stream{synthetic_task("a", 1, 3), synthetic_task("b", 2, 2)};
  const JointData union_of = JointData::of(stream, "mod-squad");
  const auto arch = moe_arch(4);
  const auto path = share(joint_model(MoeFactory::root(arch, 3, "root", 5), 2, 5));
  TrainSettings s = evostream::testing::micro_settings(40, 16, 20);
  s.family = ModelFamily::of(arch);
  TrainRecipe recipe;
  recipe.learning_rate = 0.05;
  const JointModSquadLoss loss(union_of.offsets, 0.005);
  const TrainResult r = Trainer(s).train(path, recipe, *union_of.data, 3, {}, &loss);
  // Validation scores the joined head over all 5 classes: chance is 1/5.
  CHECK(r.quality > 1.0 / 3.0);
  REQUIRE_FALSE(r.losses.empty());
  CHECK(r.losses.back().terms.count("mutual information") == 1);
  // Both tasks' router rows moved from zero.
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i]->kind() != ComponentKind::kRouter)
      continue;
    const at::Tensor w = r.trained[i].tensor("weight");
    CHECK(w.narrow(0, 0, 4).abs().sum().item<double>() > 0.0);
    CHECK(w.narrow(0, 4, 4).abs().sum().item<double>() > 0.0);
  }
  // The joint model learns only on a union of as many tasks.
  const auto five = synthetic_task("five", 3, 5);
  CHECK_THROWS_WITH(Trainer(s).train(path, recipe, five, 3, {}, &loss),
                    Contains("a joint model of 2 tasks (head root/head) trains on the union of as "
                             "many tasks; five holds 1"));
}
