#include <catch2/catch.hpp>

#include "model/core/parameter_store.hpp"
#include "model/core/store_error.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model_fixtures.hpp"

using namespace evostream::model;
using Catch::Matchers::Contains;
using evostream::testing::micro_arch;

TEST_CASE("Committing freezes components and bumps the version", "[model]") {
  ParameterStore store;
  const int64_t v = store.commit("root", VitFactory::root(micro_arch(), 4, "root", 1));
  CHECK(v == 1);
  CHECK(store.size() == 7);
  for (const auto& c : store.components())
    CHECK(c->frozen());
  for (const auto& t : store.get("root/block1")->tensors())
    CHECK_FALSE(t.requires_grad());
  CHECK(store.num_params() > 0);
  CHECK(store.resolve({"root/head", "root/block0"})[1]->id() == "root/block0");
}

TEST_CASE("Writing a committed component is refused naming it and its owner", "[model]") {
  ParameterStore store;
  store.commit("root", VitFactory::root(micro_arch(), 4, "root", 1));
  std::vector<Component> again;
  again.push_back(VitFactory::head("root/head", "root", 16, 4));
  CHECK_THROWS_WITH(store.commit("root", std::move(again)),
                    Contains("cannot write component root/head: it is frozen (owner root)"));
}

TEST_CASE("A task cannot commit a component it does not own", "[model]") {
  ParameterStore store;
  std::vector<Component> foreign;
  foreign.push_back(VitFactory::head("a/head", "a", 16, 4));
  CHECK_THROWS_WITH(store.commit("b", std::move(foreign)),
                    Contains("task b cannot commit component a/head: it is owned by a"));
}

TEST_CASE("A refused commit adds nothing", "[model]") {
  ParameterStore store;
  store.commit("root", VitFactory::root(micro_arch(), 4, "root", 1));
  const std::string hash = store.content_hash();
  std::vector<Component> mixed;
  mixed.push_back(VitFactory::head("t/head", "t", 16, 2));
  mixed.push_back(VitFactory::head("root/head", "t", 16, 2));
  CHECK_THROWS_AS(store.commit("t", std::move(mixed)), StoreError);
  CHECK_FALSE(store.contains("t/head"));
  CHECK(store.content_hash() == hash);
  CHECK(store.version() == 1);
}

TEST_CASE("Unknown ids are reported", "[model]") {
  ParameterStore store;
  CHECK_THROWS_WITH(store.get("x/head"), Contains("unknown component x/head"));
  CHECK_THROWS_AS(store.resolve({"x/head"}), StoreError);
}

TEST_CASE("verify detects a frozen tensor changed behind the store's back", "[model]") {
  ParameterStore store;
  store.commit("root", VitFactory::root(micro_arch(), 4, "root", 1));
  CHECK_NOTHROW(store.verify());
  // Tensors share storage with their handles: an in-place write is possible in C++, and caught.
  store.get("root/block1")->tensors()[2].data_ptr<float>()[5] += 1.0f;
  CHECK_THROWS_WITH(store.verify(), Contains("frozen component root/block1 (owner root) changed"));
}

TEST_CASE("The store hash depends on every component's content", "[model]") {
  ParameterStore a;
  ParameterStore b;
  a.commit("root", VitFactory::root(micro_arch(), 4, "root", 1));
  b.commit("root", VitFactory::root(micro_arch(), 4, "root", 1));
  CHECK(a.content_hash() == b.content_hash());
  ParameterStore c;
  c.commit("root", VitFactory::root(micro_arch(), 4, "root", 2));
  CHECK(a.content_hash() != c.content_hash());
}
