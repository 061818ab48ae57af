#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/strategies/joint/joint_data.hpp"
#include "model/strategies/joint/joint_loss.hpp"
#include "model_fixtures.hpp"

using namespace evostream;
using namespace evostream::testing;
using Catch::Matchers::Contains;

TEST_CASE("The joint data are the tasks' union with each task's classes after the earlier ones",
          "[model][joint]") {
  const std::vector<streams::TaskData> stream{synthetic_task("a", 1, 2, 10),
                                              synthetic_task("b", 2, 3, 10)};
  const model::JointData j = model::JointData::of(stream);
  CHECK(j.offsets == std::vector<int64_t>{0, 2, 5});
  CHECK(j.tasks == std::vector<std::string>{"a", "b"});
  const streams::TaskData& u = *j.data;
  CHECK(u.name() == "joint");
  CHECK(u.num_classes == 5);
  CHECK(u.class_names.size() == 5);
  CHECK(u.class_names[2].rfind("b:", 0) == 0);
  REQUIRE(u.train.size() == stream[0].train.size() + stream[1].train.size());
  // b's first training image follows a's, its label shifted past a's classes.
  const int64_t n0 = stream[0].train.size();
  CHECK(u.train.label(n0) == stream[1].train.label(0) + 2);
  CHECK(std::equal(u.train.image(n0), u.train.image(n0) + u.train.image_numel(),
                   stream[1].train.image(0)));
  // Validation alternates the tasks: any prefix holds both.
  REQUIRE(u.validation.size() == stream[0].validation.size() + stream[1].validation.size());
  CHECK(u.validation.label(0) == stream[0].validation.label(0));
  CHECK(u.validation.label(1) == stream[1].validation.label(0) + 2);
  CHECK(u.test.size() == 0);
}

TEST_CASE("The joint data refuse an empty stream and tasks of different shapes", "[model][joint]") {
  CHECK_THROWS_WITH(model::JointData::of({}), Contains("the stream has no tasks"));
  const streams::TaskData small = synthetic_task("small", 2, 2, 4, 6);
  CHECK_THROWS_WITH(model::JointData::of({synthetic_task("a", 1, 2, 10), small}),
                    Contains("strategy joint: expected every task's images in one shape to train "
                             "them as one, found 1×8×8 for task a and 1×6×6 for task small"));
}

TEST_CASE("The joint loss is each example's cross-entropy over its own task's classes",
          "[model][joint]") {
  const model::JointLoss loss({0, 2, 5});
  at::manual_seed(3);
  const at::Tensor logits = at::randn({4, 5}).requires_grad_(true);
  const at::Tensor labels = at::tensor(std::vector<int64_t>{1, 3, 0, 4}, at::kLong);
  const std::vector<model::Component> none;
  const at::Tensor undefined;
  const model::FeaturesOf features_of;
  const at::Tensor value = loss.loss({logits, labels, none, undefined, undefined, 0, features_of});
  // By hand: a's examples over columns 0–1, b's over 2–4.
  double expected = 0.0;
  const std::vector<std::pair<int64_t, int64_t>> slices{{0, 2}, {2, 5}, {0, 2}, {2, 5}};
  for (int64_t i = 0; i < 4; ++i) {
    const auto [from, to] = slices[static_cast<size_t>(i)];
    const at::Tensor row = logits[i].narrow(0, from, to - from);
    expected -= at::log_softmax(row, 0)[labels[i].item<int64_t>() - from].item<double>();
  }
  CHECK(value.item<double>() == Approx(expected / 4.0).epsilon(1e-5));
  value.backward();
  // The other task's logits get no gradient.
  CHECK(at::all(logits.grad()[0].narrow(0, 2, 3) == 0).item<bool>());
  CHECK(at::all(logits.grad()[1].narrow(0, 0, 2) == 0).item<bool>());

  CHECK_THROWS_WITH(model::JointLoss({0, 2, 2}),
                    Contains("expected class offsets rising from 0, one per task and the total, "
                             "found [0, 2, 2]"));
  CHECK_THROWS_WITH(model::JointLoss({1, 3}), Contains("found [1, 3]"));
}
