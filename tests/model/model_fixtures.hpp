#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "common/rng.hpp"
#include "config/scenario_parser.hpp"
#include "model/core/component.hpp"
#include "model/core/parameter_store.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/train/root_trainer.hpp"
#include "model/train/trainer.hpp"
#include "streams/synthetic_generator.hpp"
#include "streams/task_builder.hpp"

namespace evostream::testing {

/// A micro ViT: 8 × 8 images, patch 2, dim 16, depth 2, 2 heads, MLP 32.
inline config::ArchitectureSpec micro_arch() {
  config::ArchitectureSpec a;
  a.name = "vit-micro";
  a.image_size = 8;
  a.patch = 2;
  a.dim = 16;
  a.depth = 2;
  a.heads = 2;
  a.mlp = 32;
  return a;
}

/// A moe-vit for 8 × 8 images: patch 4, dim 16, 2 blocks, 2 heads, MLP 32; block 1 a mixture of
/// `experts` experts, top 2.
inline config::ArchitectureSpec moe_arch(int64_t experts = 6) {
  config::ArchitectureSpec a;
  a.family = "moe-vit";
  a.image_size = 8;
  a.patch = 4;
  a.dim = 16;
  a.depth = 2;
  a.heads = 2;
  a.mlp = 32;
  a.experts = experts;
  a.top_k = 2;
  a.moe_every = 2;
  return a;
}

/// A float tensor of `shape` drawn from the standard normal by the project's generator.
inline at::Tensor random_tensor(at::IntArrayRef shape, uint64_t seed) {
  common::Rng rng(seed);
  at::Tensor t = at::empty(shape, at::kFloat);
  float* p = t.data_ptr<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<float>(rng.normal());
  return t;
}

/// Training settings for the micro ViT (2 heads): `steps` steps at `batch_size`, validating
/// every `validation_interval` steps.
inline model::TrainSettings micro_settings(int64_t steps = 40, int64_t batch_size = 16,
                                           int64_t validation_interval = 20) {
  model::TrainSettings s;
  s.steps = steps;
  s.batch_size = batch_size;
  s.validation_interval = validation_interval;
  s.family = model::vit_family(2);
  return s;
}

/// Training settings for a path of architecture `a`: `steps` steps of 16 images, validating
/// at the end.
inline model::TrainSettings family_settings(const config::ArchitectureSpec& a, int64_t steps = 30) {
  model::TrainSettings s;
  s.steps = steps;
  s.batch_size = 16;
  s.validation_interval = steps;
  s.family = model::ModelFamily::of(a);
  return s;
}

/// Raw pointers to `cs`, in order (what a family binds).
inline std::vector<const model::Component*> raw(const std::vector<model::Component>& cs) {
  std::vector<const model::Component*> out;
  for (const auto& c : cs)
    out.push_back(&c);
  return out;
}

/// `c` with other tensors, of any shape (`Component::with_tensors` keeps the shapes).
inline model::Component remade(const model::Component& c, std::vector<at::Tensor> tensors) {
  return model::Component(c.id(), c.kind(), c.index(), c.owner(), c.parent(), c.names(),
                          std::move(tensors));
}

/// A small synthetic task of `image_size`² images of `channels` channels (8 × 8 grey by
/// default); `seed` picks the prototypes, `classes` their number.
inline streams::TaskData synthetic_task(const std::string& name, uint64_t seed, int64_t classes,
                                        int64_t per_class = 60, int64_t image_size = 8,
                                        int64_t channels = 1) {
  config::SyntheticOptions o;
  o.classes = classes;
  o.image_size = image_size;
  o.channels = channels;
  o.train_per_class = per_class;
  o.test_per_class = 20;
  o.noise = 0.1;
  o.max_shift = 1;
  o.seed = seed;
  const streams::Dataset d = streams::SyntheticGenerator(o).generate(name);
  config::TaskSpec spec;
  spec.name = name;
  spec.dataset = name;
  return streams::TaskBuilder::build(spec, d, 1);
}

/// The smoke stream (`configs/smoke.toml`): its scenario, its built tasks and its root trained
/// with seed 1.
struct SmokeStream {
  config::Scenario scenario;
  std::shared_ptr<const std::vector<streams::TaskData>> tasks;
  std::vector<model::Component> root;

  SmokeStream() {
    scenario = config::ScenarioParser::parse_file(std::string(EVOSTREAM_SOURCE_DIR) +
                                                  "/configs/smoke.toml");
    streams::TaskBuilder builder(scenario);
    tasks = std::make_shared<const std::vector<streams::TaskData>>(builder.build_all());
    root = model::RootTrainer(scenario.root).train(builder.build(*scenario.root.pretrain), 1);
  }
};

using model::pointers;
using model::share;

}  // namespace evostream::testing
