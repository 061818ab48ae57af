#include "model/train/trainer_benchmark.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "model/core/median.hpp"
#include "model/core/parameter_store.hpp"
#include "model/nn/masked/masked_factory.hpp"
#include "model/nn/masked/masked_family.hpp"
#include "model/nn/vit/flop_count.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/train/trainer.hpp"
#include "streams/dataset_registry.hpp"
#include "streams/synthetic_generator.hpp"
#include "streams/task_builder.hpp"

namespace evostream::model {

double TrainerBenchmark::gemm_peak_gflops() {
  constexpr int64_t n = 1024;
  at::Tensor a = at::rand({n, n});
  at::Tensor b = at::rand({n, n});
  at::Tensor c = at::mm(a, b);
  std::vector<double> gflops;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    at::mm_out(c, a, b);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    gflops.push_back(2.0 * n * n * n / s / 1e9);
  }
  return median(gflops);
}

TrainerBenchResult TrainerBenchmark::run(const TrainerBenchOptions& o) {
  using Trainable = TrainerBenchOptions::Trainable;
  // SupSup's 784-300-300-10 net: a fresh mask per layer (masks), or 10 frozen random
  // impressions per layer and coefficients over them (coefficients).
  const auto masked_path = [](bool coefficients, int64_t classes) {
    config::ArchitectureSpec a;
    a.family = "masked-fc";
    a.classes = classes;
    std::vector<Component> root = MaskedFactory::root(a, 1);
    std::vector<std::shared_ptr<const Component>> out;
    for (size_t l = 0; l < root.size(); ++l) {
      root[l].freeze();
      const auto shape = MaskedFactory::layer_shape(root[l]);
      const int64_t rows = shape[0];
      const int64_t cols = shape[1];
      const auto index = static_cast<int64_t>(l);
      out.push_back(std::make_shared<const Component>(root[l]));
      if (!coefficients) {
        out.push_back(std::make_shared<const Component>(MaskedFactory::scores(
            "bench/mask" + std::to_string(l), "bench", index, rows, cols, rows * cols / 2, 7 + l)));
        continue;
      }
      for (int64_t i = 0; i < 10; ++i) {
        Component m =
            MaskedFactory::random_mask(fmt::format("basis/mask{}.{}", l, i), "basis", index, rows,
                                       cols, rows * cols / 2, static_cast<uint64_t>(100 * l + i));
        m.freeze();
        out.push_back(std::make_shared<const Component>(std::move(m)));
      }
      out.push_back(std::make_shared<const Component>(
          MaskedFactory::alpha("bench/alpha" + std::to_string(l), "bench", index, 10)));
    }
    return out;
  };
  TrainerBenchResult r;
  const bool masked = o.trainable == Trainable::kMasks || o.trainable == Trainable::kCoefficients;
  r.trainable = o.trainable == Trainable::kAll     ? "all"
                : o.trainable == Trainable::kTop   ? "top"
                : o.trainable == Trainable::kMasks ? "masks"
                                                   : "coefficients";
  r.batch_size = o.batch_size;
  r.steps = o.steps;
  r.repetitions = o.repetitions;
  r.threads = o.threads;

  streams::Dataset data;
  std::error_code ec;
  if (!o.fashion_mnist_dir.empty() && std::filesystem::is_directory(o.fashion_mnist_dir, ec)) {
    config::DatasetSpec spec;
    spec.name = "fashion-mnist";
    spec.path = o.fashion_mnist_dir;
    data = streams::DatasetRegistry::load(spec);
    r.data = "fashion-mnist";
  } else {
    config::SyntheticOptions s;
    s.image_size = o.arch.image_size;
    data = streams::SyntheticGenerator(s).generate("synthetic");
    r.data = "synthetic";
  }
  config::TaskSpec spec;
  spec.name = "bench";
  spec.dataset = data.name;
  spec.max_test = 1;
  const streams::TaskData task = streams::TaskBuilder::build(spec, data, 1);

  std::vector<std::shared_ptr<const Component>> path;
  ParameterStore store;
  const int64_t depth = o.arch.depth;
  if (masked) {
    path = masked_path(o.trainable == Trainable::kCoefficients, task.num_classes);
  } else if (o.trainable == Trainable::kAll) {
    path = share(VitFactory::root(o.arch, task.num_classes, "bench", 1));
  } else {
    store.commit("root", VitFactory::root(o.arch, task.num_classes, "root", 1));
    std::vector<std::string> ids = {"root/patch_embedding", "root/class_token",
                                    "root/position_embedding"};
    for (int64_t k = 0; k < depth; ++k)
      ids.push_back("root/block" + std::to_string(k));
    ids.push_back("root/final_norm");
    path = store.resolve(ids);
    const std::string top = "bench/block" + std::to_string(depth - 1);
    path[2 + static_cast<size_t>(depth)] = std::make_shared<const Component>(
        path[2 + static_cast<size_t>(depth)]->clone(top, "bench"));
    path.insert(path.begin() + 2 + depth, std::make_shared<const Component>(VitFactory::adapter(
                                              "bench/adapter" + std::to_string(depth - 1), "bench",
                                              depth - 1, o.arch.dim, 32, 2)));
    path.push_back(std::make_shared<const Component>(
        VitFactory::head("bench/head", "bench", o.arch.dim, task.num_classes)));
  }
  if (masked) {
    // Every layer's weights get gradients.
    r.flops_per_image = 3.0 * MaskedFamily().forward_flops(pointers(path), o.arch.image_size);
  } else {
    const VitLayout layout = VitLayout::of(pointers(path));
    const double forward = FlopCount::forward(layout, o.arch.image_size);
    const double with_grad = o.trainable == Trainable::kAll
                                 ? forward
                                 : FlopCount::blocks(layout, o.arch.image_size, depth - 1, depth) +
                                       FlopCount::head(layout);
    r.flops_per_image = forward + 2.0 * with_grad;
  }

  TrainSettings settings;
  settings.steps = o.steps;
  settings.batch_size = o.batch_size;
  settings.validation_interval = o.steps;
  settings.max_validation = 100;
  settings.family = vit_family(o.arch.heads);
  settings.threads = o.threads;
  TrainRecipe recipe;
  recipe.learning_rate = 0.01;
  if (masked) {
    // As SupSup trains its scores (and ImpressLearn its coefficients): Adam, no clipping.
    settings.family = std::make_shared<MaskedFamily>();
    settings.optimizer.kind = OptimizerOptions::Kind::kAdamW;
    settings.optimizer.weight_decay = 0.0;
    settings.optimizer.clip_norm = 0.0;
    recipe.learning_rate = o.trainable == Trainable::kMasks ? 0.001 : 0.02;
    recipe.momentum = 0.0;
  }
  // Warm-up run: first-touch allocations and lazy initialisation stay out of the figures.
  TrainSettings warm = settings;
  warm.steps = 3;
  warm.validation_interval = 3;
  std::shared_ptr<PrefixCache> cache;
  if (o.prefix_cache && o.trainable == Trainable::kTop)
    cache = std::make_shared<PrefixCache>();
  Trainer(warm, cache).train(path, recipe, task, 0);
  r.prefix_cache = cache != nullptr;
  r.prefix_cache_seconds = cache ? cache->compute_seconds() : 0.0;
  const Trainer trainer(settings, cache);
  for (int64_t rep = 0; rep < o.repetitions; ++rep) {
    const TrainResult t = trainer.train(path, recipe, task, static_cast<uint64_t>(rep + 1));
    r.samples.push_back(static_cast<double>(t.images) / t.train_seconds);
    r.final_loss = t.validations.back().loss;
    r.validation_accuracy = t.validations.back().accuracy;
  }
  r.images_per_second = median(r.samples);
  r.achieved_gflops = r.images_per_second * r.flops_per_image / 1e9;
  r.peak_gflops = gemm_peak_gflops();
  r.utilisation = r.achieved_gflops / r.peak_gflops;
  return r;
}

std::string TrainerBenchResult::json() const {
  std::string samples_json;
  for (double s : samples)
    samples_json += (samples_json.empty() ? "" : ", ") + fmt::format("{:.1f}", s);
  return fmt::format(
      "{{\"implementation\": \"evostream\", \"trainable\": \"{}\", \"data\": \"{}\", "
      "\"batch_size\": {}, \"steps\": {}, \"repetitions\": {}, \"threads\": {}, "
      "\"images_per_second\": {:.1f}, \"samples\": [{}], \"flops_per_image\": {:.0f}, "
      "\"achieved_gflops\": {:.2f}, \"peak_gflops\": {:.2f}, \"utilisation\": {:.4f}, "
      "\"prefix_cache\": {}, \"prefix_cache_seconds\": {:.2f}, \"final_loss\": {:.4f}, "
      "\"validation_accuracy\": {:.4f}}}",
      trainable, data, batch_size, steps, repetitions, threads, images_per_second, samples_json,
      flops_per_image, achieved_gflops, peak_gflops, utilisation, prefix_cache,
      prefix_cache_seconds, final_loss, validation_accuracy);
}

std::string TrainerBenchResult::text() const {
  return fmt::format(
      "trainer ({} trainable, {}, batch {}, {} steps × {}, {} thread(s)): {:.0f} images/s "
      "(median)\n  {:.1f} nominal MFLOP per image → {:.1f} GFLOP/s = {:.1f}% of the {:.0f} GFLOP/s "
      "GEMM peak measured now (nominal: the work of the standard step; above 100% means work "
      "was skipped)\n  last repetition: mean training loss {:.3f}, validation accuracy {:.1f}%\n{}",
      trainable, data, batch_size, steps, repetitions, threads, images_per_second,
      flops_per_image / 1e6, achieved_gflops, 100.0 * utilisation, peak_gflops, final_loss,
      100.0 * validation_accuracy,
      prefix_cache ? fmt::format("  frozen prefix from the cache (filled once in {:.1f} s, shared "
                                 "by every candidate with that prefix)\n",
                                 prefix_cache_seconds)
                   : std::string());
}

}  // namespace evostream::model
