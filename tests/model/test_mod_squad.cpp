#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/moe/moe_family.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/nn/vit/vit_family.hpp"
#include "model/strategies/mod_squad/expert_usage.hpp"
#include "model/strategies/mod_squad/mutual_information.hpp"
#include "model_fixtures.hpp"

using namespace evostream;
using namespace evostream::model;
using Catch::Matchers::Contains;
using evostream::testing::raw;
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

// A moe-vit for 8 × 8 images: dim 16, 2 blocks, block 1 a mixture of 4 experts, top 2.
streams::ArchitectureSpec small_moe() {
  streams::ArchitectureSpec a;
  a.family = "moe-vit";
  a.image_size = 8;
  a.dim = 16;
  a.depth = 2;
  a.heads = 2;
  a.mlp = 32;
  a.experts = 4;
  a.top_k = 2;
  return a;
}

at::Tensor row(const std::vector<double>& v) {
  return at::tensor(v, at::kDouble).to(at::kFloat);
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
  const streams::ArchitectureSpec a = small_moe();
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
  const at::Tensor l =
      loss.loss({logits, labels, none, features, features, 0, features_of, f.get()});
  const at::Tensor ce = at::cross_entropy_loss(logits, labels);
  CHECK(l.item<double>() < ce.item<double>());  // −MI is negative
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
  const streams::ArchitectureSpec a = small_moe();
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
