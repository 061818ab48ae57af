#include "model/train/trainer_benchmark.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "model/core/parameter_store.hpp"
#include "model/nn/vit/flop_count.hpp"
#include "model/nn/vit/vit_factory.hpp"
#include "model/train/trainer.hpp"
#include "streams/dataset_registry.hpp"
#include "streams/synthetic_generator.hpp"
#include "streams/task_builder.hpp"

namespace evostream::model {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

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
  TrainerBenchResult r;
  r.trainable = o.trainable == Trainable::kAll ? "all" : "top";
  r.batch_size = o.batch_size;
  r.steps = o.steps;
  r.repetitions = o.repetitions;
  r.threads = o.threads;

  streams::Dataset data;
  std::error_code ec;
  if (!o.fashion_mnist_dir.empty() && std::filesystem::is_directory(o.fashion_mnist_dir, ec)) {
    streams::DatasetSpec spec;
    spec.name = "fashion-mnist";
    spec.path = o.fashion_mnist_dir;
    data = streams::DatasetRegistry::load(spec);
    r.data = "fashion-mnist";
  } else {
    streams::SyntheticOptions s;
    s.image_size = o.arch.image_size;
    data = streams::SyntheticGenerator(s).generate("synthetic");
    r.data = "synthetic";
  }
  streams::TaskSpec spec;
  spec.name = "bench";
  spec.dataset = data.name;
  spec.max_test = 1;
  const streams::TaskData task = streams::TaskBuilder::build(spec, data, 1);

  std::vector<std::shared_ptr<const Component>> path;
  ParameterStore store;
  const int64_t depth = o.arch.depth;
  if (o.trainable == Trainable::kAll) {
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
  const VitLayout layout = VitLayout::of(pointers(path));
  const double forward = FlopCount::forward(layout, o.arch.image_size);
  const double with_grad = o.trainable == Trainable::kAll
                               ? forward
                               : FlopCount::blocks(layout, o.arch.image_size, depth - 1, depth) +
                                     FlopCount::head(layout);
  r.flops_per_image = forward + 2.0 * with_grad;

  TrainSettings settings;
  settings.steps = o.steps;
  settings.batch_size = o.batch_size;
  settings.validation_interval = o.steps;
  settings.max_validation = 100;
  settings.family = vit_family(o.arch.heads);
  settings.threads = o.threads;
  Hyperparameters hp;
  hp.learning_rate = 0.01;
  // Warm-up run: first-touch allocations and lazy initialisation stay out of the figures.
  TrainSettings warm = settings;
  warm.steps = 3;
  warm.validation_interval = 3;
  std::shared_ptr<PrefixCache> cache;
  if (o.prefix_cache && o.trainable == Trainable::kTop)
    cache = std::make_shared<PrefixCache>();
  Trainer(warm, cache).train(path, hp, task, 0);
  r.prefix_cache = cache != nullptr;
  r.prefix_cache_seconds = cache ? cache->compute_seconds() : 0.0;
  const Trainer trainer(settings, cache);
  for (int64_t rep = 0; rep < o.repetitions; ++rep) {
    const TrainResult t = trainer.train(path, hp, task, static_cast<uint64_t>(rep + 1));
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
