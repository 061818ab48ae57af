// Actor messaging: a request/response round trip between two actors of one system, and the
// encoding of a training job's tensors into the blobs that cross the network.

#include <benchmark/benchmark.h>

#include <caf/all.hpp>

#include "actors/blob_codec.hpp"
#include "actors/messages.hpp"
#include "model/nn/vit/vit_factory.hpp"

namespace {

using namespace evostream;

caf::behavior echo(caf::event_based_actor*) {
  return {[](int64_t x) { return x + 1; }};
}

void BM_ActorRoundTrip(benchmark::State& state) {
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::evostream>();
  caf::actor_system system{cfg};
  const caf::actor peer = system.spawn(echo);
  caf::scoped_actor self{system};
  int64_t value = 0;
  for (auto _ : state) {
    self->request(peer, caf::infinite, value)
        .receive([&](int64_t next) { value = next; }, [&](caf::error&) {});
  }
  benchmark::DoNotOptimize(value);
  state.counters["round trips/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  self->send_exit(peer, caf::exit_reason::user_shutdown);
}
// Real time: the caller waits while the other actor runs on another thread.
BENCHMARK(BM_ActorRoundTrip)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_ComponentBlobRoundTrip(benchmark::State& state) {
  config::ArchitectureSpec arch;  // vit-tiny
  const auto components = model::VitFactory::root(arch, 10, "a", 1);
  const model::Component& block = components[3];
  for (auto _ : state)
    benchmark::DoNotOptimize(actors::BlobCodec::decode(actors::BlobCodec::encode(block)).id());
  state.SetBytesProcessed(state.iterations() * 4 * block.num_params());
}
BENCHMARK(BM_ComponentBlobRoundTrip)->Unit(benchmark::kMicrosecond);

}  // namespace
