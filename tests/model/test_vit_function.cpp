#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/nn/vit/vit_factory.hpp"
#include "model/nn/vit/vit_function.hpp"
#include "model/nn/vit/vit_layout.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// A root with random (non-zero) heads so that logits carry information.
std::vector<std::shared_ptr<const Component>> random_root(int64_t classes, uint64_t seed) {
  auto comps = VitFactory::root(micro_arch(), classes, "root", seed);
  comps.back() = comps.back().with_tensors({at::randn({classes, 16}), at::randn({classes})});
  comps[1] = comps[1].with_tensors({at::randn({1, 1, 16})});
  return share(std::move(comps));
}

}  // namespace

TEST_CASE("A root path gives logits of the head's width", "[model]") {
  at::manual_seed(0);
  const auto root = random_root(5, 1);
  const VitFunction f(VitLayout::of(pointers(root)), 2);
  const at::Tensor logits = f.forward(at::rand({3, 1, 8, 8}));
  CHECK(logits.sizes() == at::IntArrayRef({3, 5}));
  CHECK(f.depth() == 2);
}

TEST_CASE("The class-token-only last block gives the logits of the full computation", "[model]") {
  at::manual_seed(1);
  const auto root = random_root(4, 2);
  const VitFunction f(VitLayout::of(pointers(root)), 2);
  const at::Tensor images = at::rand({6, 1, 8, 8});
  const at::Tensor fast = f.forward(images);
  const at::Tensor full = f.classify(f.run_blocks(f.embed(images), 0, 2, false));
  CHECK(at::allclose(fast, full, 1e-5, 1e-5));
  CHECK(f.run_blocks(f.embed(images), 0, 2, true).size(1) == 1);
}

TEST_CASE("An inserted adapter starts as the identity", "[model]") {
  at::manual_seed(2);
  auto root = random_root(3, 3);
  const at::Tensor images = at::rand({4, 1, 8, 8});
  const at::Tensor before = VitFunction(VitLayout::of(pointers(root)), 2).forward(images);
  auto with_adapter = root;
  with_adapter.insert(
      with_adapter.begin() + 4,
      std::make_shared<const Component>(VitFactory::adapter("t/adapter1", "t", 1, 16, 8, 9)));
  const at::Tensor after = VitFunction(VitLayout::of(pointers(with_adapter)), 2).forward(images);
  CHECK(at::equal(before, after));
}

TEST_CASE("The position embedding is interpolated for another image size", "[model]") {
  at::manual_seed(3);
  const auto root = random_root(3, 4);
  const VitFunction bigger(VitLayout::of(pointers(root)), 2, 12);
  CHECK(bigger.embed(at::rand({2, 1, 8, 8})).size(1) == 1 + 36);
  CHECK(bigger.forward(at::rand({2, 1, 8, 8})).sizes() == at::IntArrayRef({2, 3}));
  const VitFunction same(VitLayout::of(pointers(root)), 2, 8);
  CHECK(same.embed(at::rand({2, 1, 8, 8})).size(1) == 17);
}

TEST_CASE("A path out of order is rejected naming the misplaced component", "[model]") {
  const auto root = random_root(3, 5);
  auto p = pointers(root);
  std::swap(p[3], p[4]);
  CHECK_THROWS_WITH(VitLayout::of(p), Contains("root/block1 (block at position 3) is out of place: "
                                               "expected block 0"));
  auto no_head = pointers(root);
  no_head.pop_back();
  CHECK_THROWS_WITH(VitLayout::of(no_head), Contains("path ends before its head"));
  const Component adapter = VitFactory::adapter("t/adapter0", "t", 0, 16, 8, 1);
  auto wrong_adapter = pointers(root);
  wrong_adapter.insert(wrong_adapter.begin() + 4, &adapter);  // before block 1 but index 0
  CHECK_THROWS_WITH(VitLayout::of(wrong_adapter), Contains("expected adapter 1"));
  auto fewer = pointers(root);
  fewer.erase(fewer.begin() + 4);  // drop block 1: a shallower path is valid
  CHECK(VitLayout::of(fewer).blocks.size() == 1);
}
