#include <catch2/catch.hpp>

#include "model/core/component.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
using Catch::Matchers::Contains;
using evostream::testing::micro_arch;

TEST_CASE("Component kinds round-trip through their names", "[model]") {
  for (auto k : {ComponentKind::kPatchEmbedding, ComponentKind::kClassToken,
                 ComponentKind::kPositionEmbedding, ComponentKind::kBlock, ComponentKind::kAdapter,
                 ComponentKind::kFinalNorm, ComponentKind::kHead}) {
    CHECK(kind_from_name(kind_name(k)) == k);
  }
  CHECK_THROWS_AS(kind_from_name("wing"), std::invalid_argument);
}

TEST_CASE("A clone is a deep copy with a new identity and its parent recorded", "[model]") {
  const Component b = VitFactory::block("root/block0", "root", 0, micro_arch(), 3);
  const std::string before = b.content_hash();
  Component c = b.clone("task/block0", "task");
  CHECK(c.id() == "task/block0");
  CHECK(c.owner() == "task");
  CHECK(c.parent() == "root/block0");
  CHECK(c.content_hash() == before);
  c.tensors()[0].add_(1.0);
  CHECK(c.content_hash() != before);
  CHECK(b.content_hash() == before);
  const Component d = b.copy();
  CHECK(d.id() == b.id());
  CHECK(d.parent() == b.parent());
}

TEST_CASE("Factory components are seeded and have the documented shapes", "[model]") {
  const auto arch = micro_arch();
  const auto a = VitFactory::root(arch, 5, "root", 1);
  const auto b = VitFactory::root(arch, 5, "root", 1);
  const auto c = VitFactory::root(arch, 5, "root", 2);
  REQUIRE(a.size() == 3 + 2 + 2);
  for (size_t i = 0; i < a.size(); ++i)
    CHECK(a[i].content_hash() == b[i].content_hash());
  CHECK(a[3].content_hash() != c[3].content_hash());
  CHECK(a[0].tensor("weight").sizes() == at::IntArrayRef({16, 1, 2, 2}));
  CHECK(a[2].tensor("embedding").sizes() == at::IntArrayRef({1, 17, 16}));
  CHECK(a[3].tensor("attn.qkv.weight").sizes() == at::IntArrayRef({48, 16}));
  CHECK(a.back().tensor("weight").sizes() == at::IntArrayRef({5, 16}));
  // A vit-tiny root has the 139k parameters the design names (with a 10-way head).
  evostream::config::ArchitectureSpec tiny;
  int64_t params = 0;
  for (const auto& comp : VitFactory::root(tiny, 10, "root", 1))
    params += comp.num_params();
  CHECK(params > 130000);
  CHECK(params < 140000);
  const Component adapter = VitFactory::adapter("t/adapter1", "t", 1, 16, 8, 4);
  CHECK(adapter.tensor("up.weight").abs().sum().item<double>() == 0.0);
  CHECK(adapter.tensor("down.weight").abs().sum().item<double>() > 0.0);
}

TEST_CASE("A frozen component refuses new tensors and names its owner", "[model]") {
  Component h = VitFactory::head("t/head", "t", 16, 3);
  Component ok = h.with_tensors({at::ones({3, 16}), at::ones({3})});
  CHECK(ok.tensor("bias").sum().item<double>() == 3.0);
  CHECK_THROWS_AS(h.with_tensors({at::ones({2, 16}), at::ones({3})}), std::invalid_argument);
  h.freeze();
  CHECK_THROWS_WITH(h.with_tensors({at::ones({3, 16}), at::ones({3})}),
                    Contains("component t/head is frozen (owner t)"));
}

TEST_CASE("Momentum traces follow a component through clones and copies but not its hash",
          "[model]") {
  const Component b = VitFactory::block("root/block0", "root", 0, micro_arch(), 3);
  CHECK(b.momentum().empty());
  std::vector<at::Tensor> traces;
  for (const auto& t : b.tensors())
    traces.push_back(at::full_like(t, 0.5));
  const Component m = b.with_momentum(traces);
  REQUIRE(m.momentum().size() == b.tensors().size());
  CHECK(m.content_hash() == b.content_hash());
  Component c = m.clone("task/block0", "task");
  REQUIRE(c.momentum().size() == m.momentum().size());
  CHECK(c.momentum()[0].equal(m.momentum()[0]));
  // A deep copy: changing the clone's trace leaves the original's alone.
  c.momentum()[0].add_(1.0);
  CHECK(m.momentum()[0].equal(traces[0]));
  CHECK(m.copy().momentum().size() == m.momentum().size());
  CHECK(m.with_momentum({}).momentum().empty());
}

TEST_CASE("Momentum traces must match the component's tensors", "[model]") {
  const Component b = VitFactory::block("root/block0", "root", 0, micro_arch(), 3);
  CHECK_THROWS_WITH(b.with_momentum({at::zeros({1})}),
                    Contains("component root/block0: expected") && Contains("momentum traces"));
  std::vector<at::Tensor> traces;
  for (const auto& t : b.tensors())
    traces.push_back(at::zeros_like(t));
  traces[0] = at::zeros({2, 2});
  CHECK_THROWS_WITH(b.with_momentum(traces),
                    Contains("momentum trace of tensor " + b.names()[0] + " has shape 2x2"));
}
