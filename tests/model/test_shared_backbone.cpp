#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "model/nn/vit/vit_factory.hpp"
#include "model/nn/vit/vit_function.hpp"
#include "model/strategies/ewc/ewc_penalty.hpp"
#include "model/strategies/lwf/lwf_distillation.hpp"
#include "model/strategies/replay/replay_buffer.hpp"
#include "model/strategies/replay/replay_loss.hpp"
#include "model/train/candidate_trainer.hpp"
#include "model/train/fisher.hpp"
#include "model_fixtures.hpp"
#include "streams/batch_sampler.hpp"

using namespace evostream::model;
namespace streams = evostream::streams;
using namespace evostream::testing;

namespace {

// `head` with seeded random weights instead of zeros (a zero head passes no gradient back and
// gives every class the same output).
Component random_head(const Component& head, uint64_t seed) {
  at::manual_seed(seed);
  std::vector<at::Tensor> t;
  for (const auto& x : head.tensors())
    t.push_back(at::randn(x.sizes()) * 0.5);
  return head.copy().with_tensors(t);
}

// A fresh micro root for `classes` classes with a random head, as shared handles.
std::vector<std::shared_ptr<const Component>> micro_root(int64_t classes, uint64_t seed = 4) {
  std::vector<std::shared_ptr<const Component>> out;
  for (Component& c : VitFactory::root(micro_arch(), classes, "root", seed)) {
    out.push_back(std::make_shared<const Component>(
        c.kind() == ComponentKind::kHead ? random_head(c, seed) : std::move(c)));
  }
  return out;
}

// The images [first, first + n) of `set` as floats.
at::Tensor images_of(const streams::ImageSet& set, int64_t first, int64_t n) {
  at::Tensor x = at::empty({n, set.channels(), set.height(), set.width()}, at::kFloat);
  streams::BatchSampler::to_float(set, first, n, x.data_ptr<float>());
  return x;
}

// Squared distance between the backbone tensors of two paths (all but the heads).
double backbone_distance(const std::vector<Component>& a,
                         const std::vector<std::shared_ptr<const Component>>& b) {
  double d = 0.0;
  for (size_t i = 0; i + 1 < a.size(); ++i) {
    for (size_t t = 0; t < a[i].tensors().size(); ++t)
      d += (a[i].tensors()[t] - b[i]->tensors()[t]).pow(2).sum().item<double>();
  }
  return d;
}

}  // namespace

TEST_CASE("A head starts at zero, or uniform in ±1/√dim from its seed as PyTorch's nn.Linear",
          "[model][strategy]") {
  const Component zero = VitFactory::head("t/head", "t", 64, 10);
  CHECK(zero.tensors()[0].abs().max().item<float>() == 0.0f);
  CHECK(zero.tensors()[1].abs().max().item<float>() == 0.0f);
  const Component a = VitFactory::head("t/head", "t", 64, 10, 7);
  REQUIRE(a.tensors()[0].sizes() == at::IntArrayRef({10, 64}));
  REQUIRE(a.tensors()[1].sizes() == at::IntArrayRef({10}));
  for (const at::Tensor& t : a.tensors()) {
    // Bounded by 1/√64, filling the range, centred.
    CHECK(t.abs().max().item<float>() <= 0.125f);
    CHECK(t.abs().max().item<float>() > 0.1f);
  }
  CHECK(std::abs(a.tensors()[0].mean().item<float>()) < 0.01f);
  CHECK(a.tensors()[0].std().item<float>() == Approx(0.125 / std::sqrt(3.0)).epsilon(0.1));
  // The same seed gives the same bytes; another seed, others.
  const Component b = VitFactory::head("t/head", "t", 64, 10, 7);
  CHECK(at::equal(a.tensors()[0], b.tensors()[0]));
  CHECK(at::equal(a.tensors()[1], b.tensors()[1]));
  CHECK_FALSE(at::equal(a.tensors()[0], VitFactory::head("t/head", "t", 64, 10, 8).tensors()[0]));
}

TEST_CASE("The diagonal Fisher is the mean squared gradient of the minibatches",
          "[model][strategy][ewc]") {
  const streams::TaskData task = synthetic_task("t", 5, 3, 10);
  const auto path = micro_root(3);
  const int64_t n = task.train.size();
  // One minibatch holding every image: the Fisher is the square of the full-batch gradient.
  const auto fisher = diagonal_fisher(path, task.train, n, *vit_family(2));
  std::vector<Component> copies;
  std::vector<const Component*> pointers;
  for (const auto& c : path)
    copies.push_back(c->copy());
  for (auto& c : copies) {
    for (const auto& t : c.tensors())
      t.requires_grad_(true);
    pointers.push_back(&c);
  }
  const VitFunction f(VitLayout::of(pointers), 2);
  at::Tensor labels = at::tensor(task.train.labels(), at::kLong);
  at::cross_entropy_loss(f.forward(images_of(task.train, 0, n)), labels).backward();
  REQUIRE(fisher.size() == path.size());
  for (size_t c = 0; c < copies.size(); ++c) {
    for (size_t t = 0; t < copies[c].tensors().size(); ++t) {
      const at::Tensor expected = copies[c].tensors()[t].grad().pow(2);
      CHECK(at::allclose(fisher[c][t], expected, 1e-5, 1e-9));
    }
  }
  // Two minibatches: the mean of their squared gradients, never more than their largest.
  const auto halves = diagonal_fisher(path, task.train, (n + 1) / 2, *vit_family(2));
  CHECK(halves[0][0].sum().item<double>() > 0.0);
  CHECK_THROWS_WITH(diagonal_fisher(path, task.train, 0, *vit_family(2)),
                    "diagonal_fisher: expected images and a batch size >= 1");
}

TEST_CASE("EWC's penalty is zero at its anchor and pulls training toward it",
          "[model][strategy][ewc]") {
  const auto anchor = micro_root(3);
  const streams::TaskData old_task = synthetic_task("old", 5, 3);
  const auto fisher = diagonal_fisher(anchor, old_task.train, 16, *vit_family(2));
  std::vector<EwcAnchor> anchors;
  for (size_t i = 0; i + 1 < anchor.size(); ++i) {
    const Component& c = *anchor[i];
    anchors.push_back(
        {anchor[i], std::make_shared<const Component>(c.id() + ".fisher", c.kind(), c.index(),
                                                      c.owner(), c.id(), c.names(), fisher[i])});
  }
  const EwcPenalty ewc(anchors, 1000.0);

  // At the anchor the penalty is zero; a shift δ of one tensor costs Σ F δ².
  std::vector<Component> at_anchor;
  for (const auto& c : anchor)
    at_anchor.push_back(c->copy());
  CHECK(ewc.penalty(at_anchor).item<double>() == 0.0);
  std::vector<at::Tensor> shifted = at_anchor[3].tensors();
  shifted[0] = shifted[0] + 0.5;
  at_anchor[3] = at_anchor[3].with_tensors(shifted);
  CHECK(ewc.penalty(at_anchor).item<double>() ==
        Approx((fisher[3][0] * 0.25).sum().item<double>()).epsilon(1e-4));
  // A component of a kind no anchor holds (another head) is free.
  std::vector<Component> head_only{at_anchor.back()};
  CHECK(ewc.penalty(head_only).item<double>() == 0.0);

  // Training the whole backbone on a new task strays less from the anchor with the penalty.
  const streams::TaskData task = synthetic_task("new", 9, 3);
  std::vector<std::shared_ptr<const Component>> clone;
  for (const auto& c : anchor)
    clone.push_back(std::make_shared<const Component>(c->clone(c->id() + "@new", "new")));
  const auto trainer = CandidateTrainer::make(micro_settings(40, 16, 40));
  TrainJob free_job;
  free_job.components = clone;
  free_job.seed = 3;
  TrainJob held = free_job;
  held.objective = std::make_shared<const EwcPenalty>(anchors, 1e6);
  const TrainResult free_run = trainer->train(free_job, task);
  const TrainResult held_run = trainer->train(held, task);
  const double free_distance = backbone_distance(free_run.trained, anchor);
  const double held_distance = backbone_distance(held_run.trained, anchor);
  CHECK(free_distance > 0.0);
  CHECK(held_distance < 0.5 * free_distance);

  // The loss is logged over 20 stretches of 2 steps, with its terms, which sum to it.
  REQUIRE(free_run.losses.size() == 20);
  CHECK(free_run.losses[0].terms.empty());  // cross-entropy alone reports none
  REQUIRE(held_run.losses.size() == 20);
  double mean = 0.0;
  for (size_t i = 0; i < held_run.losses.size(); ++i) {
    const LossPoint& l = held_run.losses[i];
    CHECK(l.step == 2 * static_cast<int64_t>(i + 1));
    REQUIRE(l.terms.size() == 2);
    CHECK(l.terms.at("EWC penalty") > 0.0);  // from the second step on
    CHECK(l.loss ==
          Approx(l.terms.at("cross-entropy") + 1e6 * l.terms.at("EWC penalty")).epsilon(1e-6));
    mean += l.loss / 20.0;
  }
  REQUIRE(held_run.validations.size() == 1);
  CHECK(held_run.validations[0].loss == Approx(mean).epsilon(1e-9));
}

TEST_CASE("LwF's distillation is zero when the model equals its previous copy",
          "[model][strategy][lwf]") {
  const auto previous = micro_root(3);
  const std::vector<std::shared_ptr<const Component>> old_heads{
      previous.back(), std::make_shared<const Component>(random_head(
                           VitFactory::head("old/head", "old", micro_arch().dim, 4), 7))};
  const LwfDistillation lwf(previous, old_heads, 1.0, 2.0, 2, 0);
  const streams::TaskData task = synthetic_task("t", 5, 3);
  const at::Tensor x = images_of(task.train, 0, 16);

  std::vector<const Component*> pointers;
  for (const auto& c : previous)
    pointers.push_back(c.get());
  const VitFunction same(VitLayout::of(pointers), 2);
  const at::Tensor features = same.features(same.run_blocks(same.embed(x), 0, same.depth(), true));
  CHECK(std::abs(lwf.distillation(features, x).item<double>()) < 1e-6);

  // Another model's features disagree with the previous model's outputs: a positive KL.
  const auto other = micro_root(3, 99);
  std::vector<const Component*> other_pointers;
  for (const auto& c : other)
    other_pointers.push_back(c.get());
  const VitFunction moved(VitLayout::of(other_pointers), 2);
  const at::Tensor drifted =
      moved.features(moved.run_blocks(moved.embed(x), 0, moved.depth(), true));
  CHECK(lwf.distillation(drifted, x).item<double>() > 1e-4);
}

TEST_CASE("The replay buffer stays class-balanced as tasks join, keeping what it held",
          "[model][strategy][replay]") {
  const std::vector<streams::TaskData> stream{synthetic_task("a", 1, 3), synthetic_task("b", 2, 2),
                                              synthetic_task("c", 3, 4)};
  const ReplayBuffer one = ReplayBuffer::of(stream, {0}, 100, 7);
  CHECK(one.counts_by_class() == std::vector<int64_t>{34, 33, 33});
  const ReplayBuffer two = ReplayBuffer::of(stream, {0, 1}, 100, 7);
  CHECK(two.counts_by_class() == std::vector<int64_t>{20, 20, 20, 20, 20});
  // Every example is an index of its task's training split with its label, none twice.
  std::set<std::pair<int64_t, int64_t>> seen;
  for (const auto& e : two.examples()) {
    CHECK(stream[static_cast<size_t>(e.task)].train.label(e.position) == e.label);
    CHECK(seen.insert({e.task, e.position}).second);
  }
  // An old class keeps a prefix of what it held: the first 20 of task a's class 0.
  for (size_t i = 0; i < 20; ++i)
    CHECK(two.examples()[i].position == one.examples()[i].position);
  // A class with fewer images than its share gives all it has.
  const ReplayBuffer big = ReplayBuffer::of(stream, {2}, 1000, 7);
  std::vector<int64_t> available(4, 0);
  for (const int64_t label : stream[2].train.labels())
    ++available[static_cast<size_t>(label)];
  CHECK(big.counts_by_class() == available);
  CHECK(ReplayBuffer::of(stream, {}, 100, 7).empty());
  // Cumulative training's buffer: every training example of the tasks, in order.
  const ReplayBuffer all = ReplayBuffer::all(stream, {0, 2});
  CHECK(all.size() == static_cast<size_t>(stream[0].train.size() + stream[2].train.size()));
  CHECK(all.examples().back().task == 2);
  CHECK(all.examples().back().position == stream[2].train.size() - 1);
  CHECK_THROWS_WITH(ReplayBuffer::of(stream, {3}, 100, 7),
                    "replay buffer: no task at stream position 3");
}

TEST_CASE("Replay's loss is the mean cross-entropy over the minibatch joined by the replayed",
          "[model][strategy][replay]") {
  const std::vector<streams::TaskData> stream{synthetic_task("a", 1, 3), synthetic_task("b", 2, 4)};
  const auto path = micro_root(4);
  const auto old_head = std::make_shared<const Component>(
      random_head(VitFactory::head("a/head", "a", micro_arch().dim, 3), 5));
  const ReplayBuffer buffer = ReplayBuffer::of(stream, {0}, 30, 7);
  const ReplayLoss replay(buffer, stream, {{0, old_head}}, 8, 11);
  // Draws are seeded by the step, without replacement within one.
  const auto drawn = replay.drawn(3);
  REQUIRE(drawn.size() == 8);
  CHECK(replay.drawn(3).front().position == drawn.front().position);
  std::set<int64_t> positions;
  for (const auto& e : drawn)
    positions.insert(e.position);
  CHECK(positions.size() == 8);

  std::vector<const Component*> pointers;
  for (const auto& c : path)
    pointers.push_back(c.get());
  const VitFunction f(VitLayout::of(pointers), 2);
  const FeaturesOf features_of = [&](const at::Tensor& x) {
    return f.features(f.run_blocks(f.embed(x), 0, f.depth(), true));
  };
  const at::Tensor x = images_of(stream[1].train, 0, 16);
  const at::Tensor features = features_of(x);
  const at::Tensor logits = f.head(features);
  const at::Tensor labels = at::tensor(
      std::vector<int64_t>(stream[1].train.labels().begin(), stream[1].train.labels().begin() + 16),
      at::kLong);
  const std::vector<Component> none;
  const double loss =
      replay.loss({logits, labels, none, features, x, 3, features_of}).item<double>();
  // By hand: 16 own examples and 8 replayed through task a's head, one mean.
  at::Tensor old_x = at::empty({8, 1, 8, 8}, at::kFloat);
  std::vector<int64_t> old_labels;
  for (size_t i = 0; i < drawn.size(); ++i) {
    streams::BatchSampler::to_float(stream[0].train, drawn[i].position,
                                    old_x.data_ptr<float>() + i * 64);
    old_labels.push_back(drawn[i].label);
  }
  const double own = at::cross_entropy_loss(logits, labels).item<double>();
  const double old = at::cross_entropy_loss(VitFunction::head(*old_head, features_of(old_x)),
                                            at::tensor(old_labels, at::kLong))
                         .item<double>();
  CHECK(loss == Approx((16 * own + 8 * old) / 24).epsilon(1e-5));
  CHECK_THROWS_WITH(ReplayLoss(buffer, stream, {}, 8, 11), "replay: no head for buffered task 0");
}
