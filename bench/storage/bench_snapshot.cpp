// Snapshot I/O: writing and reading a component file (the snapshot layout) of about 1 MB of
// parameters, reported in MB/s.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "model/nn/vit/vit_factory.hpp"
#include "storage/component_file.hpp"

namespace {

using namespace evostream;

// Two vit-tiny models' components (~1.1 MB of float32 parameters) and their byte count.
struct Payload {
  config::ArchitectureSpec arch;
  std::vector<model::Component> components;
  int64_t bytes = 0;
  std::string path;

  Payload() {
    for (const char* owner : {"a", "b"}) {
      for (auto& c : model::VitFactory::root(arch, 10, owner, 1))
        components.push_back(std::move(c));
    }
    for (const auto& c : components)
      bytes += 4 * c.num_params();
    path = (std::filesystem::temp_directory_path() /
            ("evostream-bench-snapshot-" + std::to_string(::getpid()) + ".h5"))
               .string();
  }
  ~Payload() { std::filesystem::remove(path); }
};

Payload& payload() {
  static Payload p;
  return p;
}

void BM_SnapshotWrite(benchmark::State& state) {
  Payload& p = payload();
  for (auto _ : state)
    storage::ComponentFile::write(p.path, p.arch, p.components);
  state.SetBytesProcessed(state.iterations() * p.bytes);
  state.counters["MB"] = static_cast<double>(p.bytes) / 1e6;
}
BENCHMARK(BM_SnapshotWrite)->Unit(benchmark::kMillisecond);

void BM_SnapshotRead(benchmark::State& state) {
  Payload& p = payload();
  storage::ComponentFile::write(p.path, p.arch, p.components);
  for (auto _ : state)
    benchmark::DoNotOptimize(storage::ComponentFile::read(p.path).components.size());
  state.SetBytesProcessed(state.iterations() * p.bytes);
  state.counters["MB"] = static_cast<double>(p.bytes) / 1e6;
}
BENCHMARK(BM_SnapshotRead)->Unit(benchmark::kMillisecond);

}  // namespace
