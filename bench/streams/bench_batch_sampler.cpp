// Batch sampling speed: batches per second at batch 128 (the trainer's input pipeline).

#include <benchmark/benchmark.h>

#include <filesystem>
#include <vector>

#include "config/scenario.hpp"
#include "streams/batch_sampler.hpp"
#include "streams/dataset_registry.hpp"
#include "streams/synthetic_generator.hpp"

namespace {

using namespace evostream::streams;
using namespace evostream::config;

const ImageSet& fashion_mnist_train() {
  static const Dataset d = [] {
    DatasetSpec spec;
    spec.name = "fashion-mnist";
    spec.path = default_fashion_mnist_dir();
    return DatasetRegistry::load(spec);
  }();
  return d.train;
}

void sample_batches(benchmark::State& state, const ImageSet& set) {
  const int64_t batch = state.range(0);
  BatchSampler sampler(set, batch, 1);
  std::vector<float> images(static_cast<size_t>(batch * set.image_numel()));
  std::vector<int64_t> labels(static_cast<size_t>(batch));
  for (auto _ : state) {
    sampler.next(images.data(), labels.data());
    benchmark::DoNotOptimize(images.data());
    benchmark::ClobberMemory();
  }
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(state.iterations() * batch),
                                                  benchmark::Counter::kIsRate);
}

void BM_BatchSampler_FashionMnist(benchmark::State& state) {
  if (!std::filesystem::is_directory(default_fashion_mnist_dir())) {
    state.SkipWithError("Fashion-MNIST not installed (scripts/install-deps)");
    return;
  }
  sample_batches(state, fashion_mnist_train());
}
BENCHMARK(BM_BatchSampler_FashionMnist)->Arg(128);

void BM_BatchSampler_Synthetic(benchmark::State& state) {
  static const Dataset d = SyntheticGenerator(SyntheticOptions{}).generate("synthetic");
  sample_batches(state, d.train);
}
BENCHMARK(BM_BatchSampler_Synthetic)->Arg(128);

}  // namespace
