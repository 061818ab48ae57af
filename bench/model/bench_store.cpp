// The parameter store: committing a task's components and looking one up, in stores of growing
// size (a lookup should not slow down as tasks accumulate).

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "model/core/parameter_store.hpp"
#include "model/nn/vit/vit_factory.hpp"

namespace {

using namespace evostream;

config::ArchitectureSpec micro() {
  config::ArchitectureSpec a;
  a.name = "vit-micro";
  a.image_size = 12;
  a.patch = 4;
  a.dim = 16;
  a.depth = 2;
  a.heads = 2;
  a.mlp = 32;
  return a;
}

// `tasks` tasks' components (a whole micro model each), frozen-ready.
std::vector<std::vector<model::Component>> task_components(int64_t tasks) {
  std::vector<std::vector<model::Component>> out;
  for (int64_t t = 0; t < tasks; ++t)
    out.push_back(
        model::VitFactory::root(micro(), 4, "task-" + std::to_string(t), static_cast<uint64_t>(t)));
  return out;
}

void BM_StoreCommit(benchmark::State& state) {
  const auto tasks = task_components(state.range(0));
  int64_t components = 0;
  for (auto _ : state) {
    model::ParameterStore store;
    for (size_t t = 0; t < tasks.size(); ++t) {
      store.commit("task-" + std::to_string(t), tasks[t]);
      components += static_cast<int64_t>(tasks[t].size());
    }
    benchmark::DoNotOptimize(store.size());
  }
  state.counters["commits/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
  state.counters["components/s"] =
      benchmark::Counter(static_cast<double>(components), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StoreCommit)->Arg(100)->Unit(benchmark::kMillisecond);

void BM_StoreLookup(benchmark::State& state) {
  const auto tasks = task_components(state.range(0));
  model::ParameterStore store;
  std::vector<std::string> ids;
  for (size_t t = 0; t < tasks.size(); ++t) {
    for (const auto& c : tasks[t])
      ids.push_back(c.id());
    store.commit("task-" + std::to_string(t), tasks[t]);
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(store.get(ids[i]).get());
    i = (i + 7919) % ids.size();
  }
  state.counters["lookups/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StoreLookup)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
