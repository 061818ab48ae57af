#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/run/forward_transfer.hpp"
#include "model/train/linear_probe.hpp"
#include "model_fixtures.hpp"

using namespace evostream;
using namespace evostream::testing;
using Catch::Matchers::Contains;

namespace {

// `n` points per class around `classes` well-separated centres in `dim` dimensions.
std::pair<at::Tensor, at::Tensor> blobs(int64_t classes, int64_t n, int64_t dim, uint64_t seed,
                                        double spread) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  const at::Tensor centres = at::randn({classes, dim}, g) * 4.0;
  at::Tensor labels = at::arange(classes, at::kLong).repeat_interleave(n);
  at::Tensor x = centres.index_select(0, labels) + at::randn({classes * n, dim}, g) * spread;
  return {x, labels};
}

// A store holding a micro root committed as `owner`, and that root's path.
model::Path commit_root(model::ParameterStore& store, const std::string& owner, uint64_t seed) {
  model::Path p;
  p.name = owner;
  p.task = owner;
  for (auto& c : model::VitFactory::root(micro_arch(), 3, owner, seed))
    p.ids.push_back(c.id());
  store.commit(owner, model::VitFactory::root(micro_arch(), 3, owner, seed));
  return p;
}

}  // namespace

TEST_CASE("A linear probe separates separable features and is a pure function of them",
          "[model][transfer]") {
  const auto [train_x, train_y] = blobs(3, 50, 8, 1, 0.5);
  const auto [test_x, test_y] = blobs(3, 20, 8, 1, 0.5);
  const double a = model::LinearProbe::accuracy(train_x, train_y, 3, test_x, test_y);
  CHECK(a >= 0.95);
  CHECK(model::LinearProbe::accuracy(train_x, train_y, 3, test_x, test_y) == a);
  // Features that carry nothing about the labels leave the probe near chance on new data.
  at::Generator g = at::detail::createCPUGenerator(7);
  const at::Tensor noise_train = at::randn({600, 8}, g);
  const at::Tensor noise_test = at::randn({600, 8}, g);
  const at::Tensor y = at::arange(3, at::kLong).repeat(200);
  CHECK(model::LinearProbe::accuracy(noise_train, y, 3, noise_test, y) < 0.45);
}

TEST_CASE("A linear probe refuses features and labels that disagree", "[model][transfer]") {
  const at::Tensor x = at::zeros({4, 8});
  const at::Tensor y = at::zeros({4}, at::kLong);
  CHECK_THROWS_WITH(model::LinearProbe::accuracy(x, at::zeros({3}, at::kLong), 2, x, y),
                    Contains("found train 4×8 with 3 labels, test 4×8 with 4 labels"));
  CHECK_THROWS_WITH(model::LinearProbe::accuracy(x, y, 2, at::zeros({4, 5}), y),
                    Contains("the same dim"));
  CHECK_THROWS_WITH(
      model::LinearProbe::accuracy(at::zeros({0, 8}), at::zeros({0}, at::kLong), 2, x, y),
      Contains("expected training and test examples"));
}

TEST_CASE("Forward transfer from the root to itself is exactly zero, from another model not",
          "[model][transfer]") {
  model::ParameterStore store;
  const model::Path root = commit_root(store, "root", 1);
  const model::Path other = commit_root(store, "other", 5);
  const streams::TaskData task = synthetic_task("t", 3, 3);
  const auto family = model::vit_family(2);

  const model::TaskTransfer same =
      model::ForwardTransfer::measure(*family, store, root, root, task);
  CHECK(same.missing.empty());
  CHECK(same.task == "t");
  CHECK(same.before == "root");
  CHECK(same.root_probe > 1.0 / 3.0);  // random ViT features already separate the prototypes
  CHECK(same.transfer() == 0.0);

  const model::TaskTransfer from_other =
      model::ForwardTransfer::measure(*family, store, root, other, task);
  CHECK(from_other.before == "other");
  CHECK(from_other.root_probe == same.root_probe);
  CHECK(from_other.before_probe != same.before_probe);
  CHECK(model::ForwardTransfer::mean({same, from_other}) == Approx(from_other.transfer() / 2.0));
}

TEST_CASE("A path that cannot take a task's images is reported, not raised", "[model][transfer]") {
  model::ParameterStore store;
  const model::Path root = commit_root(store, "root", 1);
  // Three channels: the micro root embeds one.
  const streams::TaskData task = synthetic_task("rgb", 1, 2, 10, 8, 3);
  const model::TaskTransfer t =
      model::ForwardTransfer::measure(*model::vit_family(2), store, root, root, task);
  CHECK_FALSE(t.missing.empty());
  CHECK(t.missing.find('\n') == std::string::npos);
  CHECK_FALSE(model::ForwardTransfer::mean({t}).has_value());
  CHECK_FALSE(model::ForwardTransfer::mean({}).has_value());
}
