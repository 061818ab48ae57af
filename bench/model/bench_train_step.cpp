// Training steps of a candidate: vit-tiny (Fashion-MNIST's shape, 28 × 28) on a synthetic task
// at batch 64, every component trained, one torch thread; an iteration is 20 steps and one
// validation, and steps/s is the figure to watch.

#include <benchmark/benchmark.h>

#include "model/nn/vit/vit_factory.hpp"
#include "model/train/trainer.hpp"
#include "streams/synthetic_generator.hpp"
#include "streams/task_builder.hpp"

namespace {

using namespace evostream;

void BM_TrainStep(benchmark::State& state) {
  config::ArchitectureSpec arch;  // vit-tiny: the defaults
  config::SyntheticOptions o;
  o.classes = 10;
  o.image_size = arch.image_size;
  o.train_per_class = 40;
  o.test_per_class = 4;
  o.seed = 3;
  config::TaskSpec spec;
  spec.name = "synthetic";
  spec.dataset = "synthetic";
  const streams::TaskData task =
      streams::TaskBuilder::build(spec, streams::SyntheticGenerator(o).generate("synthetic"), 1);
  const auto path = model::share(model::VitFactory::root(arch, 10, "bench", 1));
  model::TrainSettings settings;
  settings.steps = state.range(0);
  settings.batch_size = 64;
  settings.validation_interval = settings.steps;
  settings.family = model::vit_family(arch.heads);
  settings.threads = 1;
  const model::Trainer trainer(settings);
  for (auto _ : state)
    benchmark::DoNotOptimize(trainer.train(path, model::TrainRecipe{}, task, 1).quality);
  const double steps = static_cast<double>(state.iterations() * state.range(0));
  state.counters["steps/s"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
}
// 20 steps and one validation per iteration.
BENCHMARK(BM_TrainStep)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
