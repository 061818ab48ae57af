#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include "model/strategies/joint/joint_data.hpp"
#include "model/strategies/joint/joint_loss.hpp"
#include "model/strategies/joint/joint_parts.hpp"
#include "model/train/task_of_label.hpp"
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
  CHECK(j.data->class_offsets == j.offsets);
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

TEST_CASE("A label tells its task in a union of tasks", "[model][joint]") {
  const at::Tensor t = model::task_of_label({0, 2, 5});
  CHECK(at::equal(t, at::tensor(std::vector<int64_t>{0, 0, 1, 1, 1}, at::kLong)));
  CHECK_FALSE(model::task_of_label({}).defined());
  CHECK_THROWS_WITH(model::task_of_label({0, 3, 3}),
                    Contains("expected class offsets rising from 0, one per task and the total, "
                             "found [0, 3, 3]"));
  CHECK_THROWS_WITH(model::task_of_label({0}), Contains("found [0]"));
}

TEST_CASE("A joined component is cut into each task's rows, its integer tensors whole",
          "[model][joint]") {
  using model::ComponentKind;
  model::TaskOutcome out;
  out.path.task = "b";
  out.path.ids = {"a/block0@0", "a/router1@0.joined"};
  out.added.emplace_back("a/router1@0.joined", ComponentKind::kRouter, 1, "a", "",
                         std::vector<std::string>{"weight", "top_k"},
                         std::vector<at::Tensor>{at::arange(12, at::kFloat).view({6, 2}),
                                                 at::full({1}, 2, at::kLong)});
  model::JointParts::split(out, "a/router1@0.joined", {0, 2, 6}, {"a", "b"});
  CHECK(out.path.ids[1] == "a/router1@joint.b");
  REQUIRE(out.added.size() == 2);
  CHECK(out.added[0].id() == "a/router1@joint.a");
  CHECK(out.added[1].owner() == "a");
  CHECK(out.added[1].index() == 1);
  CHECK(at::equal(out.added[0].tensor("weight"), at::arange(4, at::kFloat).view({2, 2})));
  CHECK(at::equal(out.added[1].tensor("weight"), at::arange(4, 12, at::kFloat).view({4, 2})));
  CHECK(out.added[1].tensor("top_k").item<int64_t>() == 2);

  CHECK_THROWS_WITH(model::JointParts::split(out, "a/router1@0.joined", {0, 2, 6}, {"a", "b"}),
                    Contains("the trained path lost its joined component a/router1@0.joined"));
  out.path.task = "c";
  CHECK_THROWS_WITH(model::JointParts::split(out, "a/router1@joint.a", {0, 2}, {"a"}),
                    Contains("task c is not among the joined tasks"));
}
