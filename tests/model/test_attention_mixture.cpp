#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>

#include "model/nn/moe/attention_mixture.hpp"
#include "model/nn/moe/expert_mixture.hpp"
#include "model/nn/moe/moe_factory.hpp"
#include "model/nn/moe/moe_family.hpp"
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

// The moe-vit of the fixtures (block 1's MLP a mixture of 6 experts, top 2) whose block 0's
// attention is a mixture of 5 attention experts, top 2 = heads.
config::ArchitectureSpec attention_arch() {
  config::ArchitectureSpec a = moe_arch();
  a.attention_experts = 5;
  return a;
}

const Component& of_kind(const std::vector<Component>& path, ComponentKind kind) {
  for (const auto& c : path) {
    if (c.kind() == kind)
      return c;
  }
  throw std::logic_error("no such component");
}

// The mixture by its definition, one token and one chosen expert at a time.
at::Tensor by_hand(const at::Tensor& x, const Component& block, const Component& experts,
                   const at::Tensor& router) {
  const at::Tensor& wq = experts.tensor("q.weight");
  const at::Tensor& wo = experts.tensor("o.weight");
  const int64_t h = wq.size(1);
  at::Tensor y = at::zeros_like(x);
  for (int64_t n = 0; n < x.size(0); ++n) {
    const at::Tensor kv =
        at::linear(x[n], block.tensor("attn.kv.weight"), block.tensor("attn.kv.bias"));
    const at::Tensor keys = kv.narrow(1, 0, h);
    const at::Tensor values = kv.narrow(1, h, h);
    for (int64_t t = 0; t < x.size(1); ++t) {
      const at::Tensor p = at::softmax(at::matmul(router, x[n][t]), 0) + 1e-4;
      const auto top = std::get<1>(at::topk(p, 2));
      for (int64_t j = 0; j < 2; ++j) {
        const int64_t e = top[j].item<int64_t>();
        const at::Tensor q = at::matmul(wq[e], x[n][t]);
        const at::Tensor a = at::softmax(at::matmul(keys, q) / std::sqrt(double(h)), 0);
        y[n][t] += p[e] * at::matmul(wo[e], at::matmul(a, values));
      }
    }
  }
  return y;
}

}  // namespace

TEST_CASE("An attention mixture gives each token's top-k experts a head over shared keys",
          "[model][moe][attention]") {
  const auto root = MoeFactory::root(attention_arch(), 3, "root", 7);
  const Component& block = of_kind(root, ComponentKind::kAttentionMoeBlock);
  const Component& experts = of_kind(root, ComponentKind::kAttentionExperts);
  // Non-zero key and value biases and a random router, so that every part is checked.
  const Component biased = remade(block, [&] {
    std::vector<at::Tensor> t = block.tensors();
    t[3] = random_tensor({16}, 3);
    return t;
  }());
  REQUIRE(biased.names()[3] == "attn.kv.bias");
  const at::Tensor weight = random_tensor({5, 16}, 4);
  const Component router =
      remade(of_kind(root, ComponentKind::kRouter), {weight, at::full({1}, 2, at::kLong)});
  const at::Tensor x = random_tensor({3, 5, 16}, 5);

  const MixtureOutput out = AttentionMixture::apply(x, biased, {&experts}, router, false);
  const at::Tensor expected = by_hand(x, biased, experts, weight);
  CHECK(at::allclose(out.y, expected, 1e-5, 1e-5));
  CHECK(out.selections.sum().item<int64_t>() == 3 * 5 * 2);
  CHECK(out.probability_sum.sum().item<double>() == Approx(15 * (1 + 5e-4)).epsilon(1e-6));

  // The class token alone: its row of the whole, keys and values still from every token.
  const MixtureOutput first = AttentionMixture::apply(x, biased, {&experts}, router, true);
  REQUIRE(first.y.sizes() == at::IntArrayRef({3, 1, 16}));
  CHECK(at::allclose(first.y, expected.narrow(1, 0, 1), 1e-5, 1e-5));

  // Experts split over two groups (a later task's added ones) mix as one group.
  const Component a = remade(experts, {experts.tensor("q.weight").narrow(0, 0, 3),
                                       experts.tensor("o.weight").narrow(0, 0, 3)});
  const Component b = remade(experts, {experts.tensor("q.weight").narrow(0, 3, 2),
                                       experts.tensor("o.weight").narrow(0, 3, 2)});
  CHECK(at::allclose(AttentionMixture::apply(x, biased, {&a, &b}, router, false).y, out.y, 1e-6,
                     1e-6));
}

TEST_CASE("A joint model's attention mixture routes each example by its own task's rows",
          "[model][moe][attention][joint]") {
  const auto root = MoeFactory::root(attention_arch(), 3, "root", 7);
  const Component& block = of_kind(root, ComponentKind::kAttentionMoeBlock);
  const Component& experts = of_kind(root, ComponentKind::kAttentionExperts);
  const Component& zero = of_kind(root, ComponentKind::kRouter);
  const at::Tensor w0 = random_tensor({5, 16}, 8);
  const at::Tensor w1 = random_tensor({5, 16}, 9);
  const Component joined = remade(zero, {at::cat({w0, w1}), zero.tensor("top_k")});
  const at::Tensor x = random_tensor({4, 5, 16}, 10);
  const at::Tensor tasks = at::tensor(std::vector<int64_t>{1, 0, 1, 1}, at::kLong);
  const MixtureOutput out = AttentionMixture::apply(x, block, {&experts}, joined, false, tasks, 2);
  for (int64_t t = 0; t < 2; ++t) {
    INFO("task " << t);
    const at::Tensor mine = (tasks == t).nonzero().squeeze(1);
    const MixtureOutput alone =
        AttentionMixture::apply(x.index_select(0, mine), block, {&experts},
                                remade(zero, {t == 0 ? w0 : w1, zero.tensor("top_k")}), false);
    CHECK(at::allclose(out.y.index_select(0, mine), alone.y, 1e-5, 1e-6));
    CHECK(at::allclose(out.task_probability_sum[t], alone.probability_sum, 1e-5, 1e-6));
    CHECK(out.task_tokens[t].item<int64_t>() == 5 * mine.size(0));
  }
}

TEST_CASE("A moe-vit root with attention experts mixes the attention of its dense-MLP blocks",
          "[model][moe][attention]") {
  const auto arch = attention_arch();
  const auto root = MoeFactory::root(arch, 3, "root", 7);
  std::vector<std::string> kinds;
  for (const auto& c : root)
    kinds.push_back(kind_name(c.kind()));
  CHECK(kinds == std::vector<std::string>{"patch_embedding", "class_token", "position_embedding",
                                          "task_embedding", "attention_moe_block",
                                          "attention_experts", "router", "moe_block", "experts",
                                          "router", "final_norm", "head"});
  const Component& block = of_kind(root, ComponentKind::kAttentionMoeBlock);
  CHECK(block.names() == std::vector<std::string>{"ln1.weight", "ln1.bias", "attn.kv.weight",
                                                  "attn.kv.bias", "ln2.weight", "ln2.bias",
                                                  "mlp.fc1.weight", "mlp.fc1.bias",
                                                  "mlp.fc2.weight", "mlp.fc2.bias"});
  CHECK(block.tensor("attn.kv.weight").sizes() == at::IntArrayRef({16, 16}));  // 2 × 16 / 2
  CHECK(of_kind(root, ComponentKind::kAttentionExperts).tensor("q.weight").sizes() ==
        at::IntArrayRef({5, 8, 16}));
  CHECK(MoeVitLayout::top_k(root[6]) == 2);  // one expert per head

  // Seeded: the same root twice, and without attention experts the MLP mixture's root.
  const auto again = MoeFactory::root(arch, 3, "root", 7);
  for (size_t i = 0; i < root.size(); ++i)
    CHECK(root[i].content_hash() == again[i].content_hash());
  auto plain = arch;
  plain.attention_experts = 0;
  const auto mlp_only = MoeFactory::root(plain, 3, "root", 7);
  CHECK(mlp_only[4].kind() == ComponentKind::kBlock);
  CHECK(mlp_only[5].content_hash() == root[7].content_hash());  // the MoE block is untouched

  const MoeVitFamily family(arch.heads);
  const auto f = family.bind(raw(root));
  const at::Tensor images = at::rand({5, 1, 8, 8});
  CHECK(f->forward(images).sizes() == at::IntArrayRef({5, 3}));
  const Routing* r = f->routing();
  REQUIRE(r->tokens.size() == 2);  // the attention mixture, then the MLP mixture
  CHECK(r->tokens[0] == 5 * 5);    // every token of block 0 (1 + 2² per image)
  CHECK(r->tokens[1] == 5);        // the last block routes only the class token
  CHECK(r->selections[0].size(0) == 5);
  CHECK(r->selections[0].sum().item<int64_t>() == 25 * 2);

  // Active FLOPs: block 0's router (5 rows), shared keys and values (2 × 8 wide), and per
  // chosen expert its query and output (8 wide) and its head's attention; the rest as the
  // MLP mixture's root.
  const double t = 5.0;
  const double attention =
      2 * t * 16 * 5 + 2 * t * 16 * 16 + 2 * (2 * t * 16 * 8 * 2 + 4 * t * t * 8);
  const double dense_attention = 2 * t * 16 * 48 + 4 * t * t * 16 + 2 * t * 16 * 16;
  CHECK(family.forward_flops(raw(root), 8) ==
        Approx(family.forward_flops(raw(mlp_only), 8) - dense_attention + attention));
  // Active parameters: a token uses 2 of the 5 attention experts (2 × 8 × 16 each) and 2 of
  // the 6 MLP experts.
  int64_t all = 0;
  for (const auto& c : root)
    all += c.num_params();
  CHECK(family.active_params(raw(root)) == all - 3 * (2 * 8 * 16) - 4 * (2 * 16 * 16 + 2 * 16));
}

TEST_CASE("Training a path with attention experts moves them and the shared keys and values",
          "[model][moe][attention]") {
  const auto arch = attention_arch();
  const auto task = synthetic_task("moe", 3, 3);
  auto path = share(MoeFactory::root(arch, 3, "root", 5));
  TrainRecipe recipe;
  recipe.learning_rate = 0.05;
  const TrainResult r =
      Trainer(evostream::testing::family_settings(arch)).train(path, recipe, task, 3);
  REQUIRE(r.trained.size() == path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const ComponentKind k = path[i]->kind();
    if (k == ComponentKind::kAttentionExperts || k == ComponentKind::kRouter) {
      INFO(path[i]->id());
      CHECK_FALSE(at::equal(r.trained[i].tensors()[0], path[i]->tensors()[0]));
    }
    if (k == ComponentKind::kAttentionMoeBlock)
      CHECK_FALSE(
          at::equal(r.trained[i].tensor("attn.kv.weight"), path[i]->tensor("attn.kv.weight")));
  }
  CHECK(r.quality > 1.0 / 3.0);
}

TEST_CASE("Attention MoE paths out of place or of the wrong shape are refused",
          "[model][moe][attention]") {
  const auto root = MoeFactory::root(attention_arch(), 3, "root", 7);
  const MoeVitFamily family(2);
  std::vector<const Component*> without;
  for (const auto& c : root) {
    if (c.kind() != ComponentKind::kAttentionExperts)
      without.push_back(&c);
  }
  CHECK_THROWS_WITH(family.bind(without),
                    Contains("root/router0 (router at position 5) is out of place: expected "
                             "attention experts of block 0"));
  // Experts as wide as the MLP's cannot follow an attention block, nor attention experts of
  // another width.
  const Component mlp = MoeFactory::experts("root/experts0", "root", 0, 5, 16, 8, 1);
  const Component wide =
      MoeFactory::attention_experts("root/attention_experts0", "root", 0, 5, 16, 4, 1);
  auto replaced = [&](const Component& by) {
    std::vector<const Component*> out = raw(root);
    for (auto& c : out) {
      if (c->kind() == ComponentKind::kAttentionExperts)
        c = &by;
    }
    return out;
  };
  CHECK_THROWS_WITH(family.bind(replaced(mlp)),
                    Contains("root/experts0 (experts at position 5) is out of place: expected "
                             "attention experts of block 0"));
  CHECK_THROWS_WITH(family.bind(replaced(wide)),
                    Contains("root/attention_experts0: tensor q.weight expected n×8×16, found "
                             "5×4×16"));
}
