#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/nn/moe/expert_mixture.hpp"
#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/moe/moe_family.hpp"
#include "model/nn/vit/activation.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/nn/vit/vit_family.hpp"
#include "model/train/trainer.hpp"
#include "model_fixtures.hpp"

using namespace evostream;
using namespace evostream::model;
using Catch::Matchers::Contains;
using evostream::testing::moe_arch;
using evostream::testing::random_tensor;
using evostream::testing::raw;
using evostream::testing::remade;
using evostream::testing::synthetic_task;

namespace {

// A router of `experts` experts with random weights.
Component random_router(int64_t experts, int64_t dim, int64_t top_k, uint64_t seed) {
  const Component zero = MoeFactory::router("t/router1", "t", 1, experts, dim, top_k);
  return zero.with_tensors({random_tensor({experts, dim}, seed), zero.tensor("top_k")});
}

}  // namespace

TEST_CASE("A mixture sums each token's top-k experts weighted by its router probabilities",
          "[model][moe]") {
  const int64_t d = 8;
  const Component a = MoeFactory::experts("root/experts1", "root", 1, 3, d, 4, 11);
  const Component b = MoeFactory::experts("t/experts1", "t", 1, 2, d, 4, 12);
  // Non-zero biases, so that they are checked too.
  const Component b2 = b.with_tensors({b.tensor("fc1.weight"), random_tensor({2, 4}, 13),
                                       b.tensor("fc2.weight"), random_tensor({2, d}, 14)});
  const Component router = random_router(5, d, 2, 15);
  const at::Tensor x = random_tensor({7, d}, 16);
  const ExpertMixture::Output out = ExpertMixture::apply(x, {&a, &b2}, router);

  const auto w = ExpertMixture::stacked({&a, &b2});
  REQUIRE(w[0].sizes() == at::IntArrayRef({5, 4, d}));
  at::Tensor expected = at::zeros({7, d});
  at::Tensor selections = at::zeros({5}, at::kLong);
  for (int64_t t = 0; t < 7; ++t) {
    const at::Tensor p = at::softmax(at::matmul(router.tensor("weight"), x[t]), 0) + 1e-4;
    const auto top = std::get<1>(at::topk(p, 2));
    for (int64_t j = 0; j < 2; ++j) {
      const int64_t e = top[j].item<int64_t>();
      selections[e] += 1;
      const at::Tensor h = Activation::tanh_gelu(at::matmul(w[0][e], x[t]) + w[1][e]);
      expected[t] += p[e] * (at::matmul(w[2][e], h) + w[3][e]);
    }
  }
  CHECK(at::allclose(out.y, expected, 1e-5, 1e-6));
  CHECK(at::equal(out.selections, selections));
  CHECK(out.probability_sum.sum().item<double>() == Approx(7 * (1 + 5e-4)).epsilon(1e-6));
}

TEST_CASE("A zero router's ties go to the lowest experts on every build", "[model][moe]") {
  const Component experts = MoeFactory::experts("root/experts1", "root", 1, 6, 8, 4, 1);
  const Component router = MoeFactory::router("root/router1", "root", 1, 6, 8, 2);
  const ExpertMixture::Output out =
      ExpertMixture::apply(random_tensor({9, 8}, 2), {&experts}, router);
  CHECK(out.selections.data_ptr<int64_t>()[0] == 9);
  CHECK(out.selections.data_ptr<int64_t>()[1] == 9);
  CHECK(out.selections.sum().item<int64_t>() == 18);
}

TEST_CASE("A moe-vit root routes its MoE blocks and records what each pass routed",
          "[model][moe]") {
  const auto arch = moe_arch();
  const auto root = MoeFactory::root(arch, 3, "root", 7);
  std::vector<std::string> kinds;
  for (const auto& c : root)
    kinds.push_back(kind_name(c.kind()));
  CHECK(kinds == std::vector<std::string>{"patch_embedding", "class_token", "position_embedding",
                                          "task_embedding", "block", "moe_block", "experts",
                                          "router", "final_norm", "head"});
  const MoeVitFamily family(arch.heads);
  const auto f = family.bind(raw(root));
  const at::Tensor images = at::rand({5, 1, 8, 8});
  CHECK(f->forward(images).sizes() == at::IntArrayRef({5, 3}));
  const Routing* r = f->routing();
  REQUIRE(r != nullptr);
  REQUIRE(r->tokens.size() == 1);
  CHECK(r->tokens[0] == 5);  // the last block routes only the class token
  CHECK(r->selections[0].sum().item<int64_t>() == 5 * 2);

  // Active FLOPs: the dense ViT's (expert width × top k = mlp) plus the router.
  auto dense = arch;
  dense.family = "vit";
  const auto vit = VitFactory::root(dense, 3, "root", 7);
  const double router_flops = 2.0 * 5.0 * 16.0 * 6.0;  // 1 + 2² tokens
  CHECK(family.forward_flops(raw(root), 8) ==
        Approx(vit_family(2)->forward_flops(raw(vit), 8) + router_flops));
  // Active parameters: a token uses 2 of the 6 experts (each 16·16 + 16 + 16·16 + 16).
  int64_t all = 0;
  for (const auto& c : root)
    all += c.num_params();
  CHECK(family.active_params(raw(root)) == all - 4 * (2 * 16 * 16 + 2 * 16));
  CHECK(vit_family(2)->active_params(raw(vit)) == [&] {
    int64_t n = 0;
    for (const auto& c : vit)
      n += c.num_params();
    return n;
  }());
}

TEST_CASE("Training a moe-vit path moves its router, experts and task embedding", "[model][moe]") {
  const auto arch = moe_arch();
  const auto task = synthetic_task("moe", 3, 3);
  auto path = share(MoeFactory::root(arch, 3, "root", 5));
  TrainRecipe recipe;
  recipe.learning_rate = 0.05;
  const TrainResult r =
      Trainer(evostream::testing::family_settings(arch)).train(path, recipe, task, 3);
  REQUIRE(r.trained.size() == path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const ComponentKind k = path[i]->kind();
    if (k == ComponentKind::kRouter || k == ComponentKind::kExperts ||
        k == ComponentKind::kTaskEmbedding) {
      INFO(path[i]->id());
      CHECK_FALSE(at::equal(r.trained[i].tensors()[0], path[i]->tensors()[0]));
    }
  }
  CHECK(r.quality > 1.0 / 3.0);
}

TEST_CASE("moe-vit paths out of place or of the wrong shape are refused with what was expected",
          "[model][moe]") {
  const auto root = MoeFactory::root(moe_arch(), 3, "root", 7);
  const MoeVitFamily family(2);
  auto without = [&](ComponentKind kind) {
    std::vector<const Component*> out;
    for (const auto& c : root) {
      if (c.kind() != kind)
        out.push_back(&c);
    }
    return out;
  };
  CHECK_THROWS_WITH(family.bind(without(ComponentKind::kTaskEmbedding)),
                    Contains("root/block0 (block at position 3) is out of place: expected "
                             "task_embedding"));
  CHECK_THROWS_WITH(family.bind(without(ComponentKind::kExperts)),
                    Contains("root/router1 (router at position 6) is out of place: expected "
                             "experts of block 1"));
  CHECK_THROWS_WITH(family.bind(without(ComponentKind::kRouter)), Contains("expected router 1"));
  auto replaced = [&](ComponentKind kind, const Component& by) {
    std::vector<const Component*> out = raw(root);
    for (auto& c : out) {
      if (c->kind() == kind)
        c = &by;
    }
    return out;
  };
  const Component narrow = MoeFactory::router("root/router1", "root", 1, 5, 16, 2);
  CHECK_THROWS_WITH(family.bind(replaced(ComponentKind::kRouter, narrow)),
                    Contains("root/router1: tensor weight expected 6×16, found 5×16"));
  const Component greedy = MoeFactory::router("root/router1", "root", 1, 6, 16, 7);
  CHECK_THROWS_WITH(family.bind(replaced(ComponentKind::kRouter, greedy)),
                    Contains("top_k expected one int64 in 1..6, found 7"));
  const Component wide = MoeFactory::experts("root/experts1", "root", 1, 6, 8, 4, 1);
  CHECK_THROWS_WITH(family.bind(replaced(ComponentKind::kExperts, wide)),
                    Contains("root/experts1: tensor fc1.weight expected n×n×16, found 6×4×8"));
}

TEST_CASE("A joint model's mixture routes each token by its own task's router rows",
          "[model][moe][joint]") {
  const int64_t d = 8;
  const Component experts = MoeFactory::experts("root/experts1", "root", 1, 4, d, 4, 21);
  const Component r0 = random_router(4, d, 2, 22);
  const Component r1 = random_router(4, d, 2, 23);
  const Component joined =
      remade(r0, {at::cat({r0.tensor("weight"), r1.tensor("weight")}), r0.tensor("top_k")});
  const at::Tensor x = random_tensor({6, d}, 24);
  const at::Tensor tasks = at::tensor(std::vector<int64_t>{0, 1, 1, 0, 1, 1}, at::kLong);
  const ExpertMixture::Output out = ExpertMixture::apply(x, {&experts}, joined, tasks, 2);
  for (int64_t t = 0; t < 2; ++t) {
    INFO("task " << t);
    const at::Tensor mine = (tasks == t).nonzero().squeeze(1);
    const ExpertMixture::Output alone =
        ExpertMixture::apply(x.index_select(0, mine), {&experts}, t == 0 ? r0 : r1);
    CHECK(at::allclose(out.y.index_select(0, mine), alone.y, 1e-5, 1e-6));
    CHECK(at::allclose(out.task_probability_sum[t], alone.probability_sum, 1e-5, 1e-6));
    CHECK(out.task_tokens[t].item<int64_t>() == mine.size(0));
  }
}

TEST_CASE("A joint moe-vit model serves each example as its task's own path would",
          "[model][moe][joint]") {
  const auto arch = moe_arch();
  const auto root = MoeFactory::root(arch, 3, "root", 7);
  // Two tasks of 3 and 2 classes: a task embedding and router rows of each, a joined head.
  const at::Tensor embedding = random_tensor({2, 1, 16}, 31);
  const at::Tensor router = random_tensor({12, 16}, 32);
  const at::Tensor head = random_tensor({5, 16}, 33);
  const std::vector<int64_t> classes_at = {0, 3, 5};
  auto path = [&](const at::Tensor& e, const at::Tensor& r, const at::Tensor& h) {
    std::vector<Component> out;
    for (const auto& c : root) {
      if (c.kind() == ComponentKind::kTaskEmbedding)
        out.push_back(remade(c, {e}));
      else if (c.kind() == ComponentKind::kRouter)
        out.push_back(remade(c, {r, c.tensor("top_k")}));
      else if (c.kind() == ComponentKind::kHead)
        out.push_back(remade(c, {h, at::zeros({h.size(0)})}));
      else
        out.push_back(c);
    }
    return out;
  };
  const MoeVitFamily family(arch.heads);
  const auto joint = path(embedding, router, head);
  const auto f = family.bind(raw(joint));
  CHECK(f->tasks() == 2);
  const at::Tensor images = at::rand({6, 1, 8, 8});
  const at::Tensor tasks = at::tensor(std::vector<int64_t>{0, 1, 0, 1, 1, 0}, at::kLong);
  const at::Tensor logits = f->task_forward(images, tasks);
  REQUIRE(logits.sizes() == at::IntArrayRef({6, 5}));
  REQUIRE(f->routing()->task_tokens.size() == 1);
  for (int64_t t = 0; t < 2; ++t) {
    INFO("task " << t);
    const int64_t from = classes_at[static_cast<size_t>(t)];
    const int64_t classes = classes_at[static_cast<size_t>(t) + 1] - from;
    const auto own =
        path(embedding.narrow(0, t, 1), router.narrow(0, 6 * t, 6), head.narrow(0, from, classes));
    const at::Tensor mine = (tasks == t).nonzero().squeeze(1);
    const at::Tensor alone = family.bind(raw(own))->forward(images.index_select(0, mine));
    CHECK(at::allclose(logits.index_select(0, mine).narrow(1, from, classes), alone, 1e-4, 1e-5));
  }
  CHECK_THROWS_WITH(f->forward(images),
                    Contains("the joint model of 2 tasks (head root/head) needs each example's "
                             "task"));
  // Router rows must be the tasks' routers one after another.
  const auto short_router = path(embedding, router.narrow(0, 0, 6), head);
  CHECK_THROWS_WITH(family.bind(raw(short_router)),
                    Contains("root/router1: tensor weight expected 12×16, found 6×16"));
}
