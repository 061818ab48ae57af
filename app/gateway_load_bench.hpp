#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace evostream::app {

/// Options of `evostream bench gateway`.
struct GatewayLoadOptions {
  /// The stream learned once before the rounds; each round then adds a copy of its first task
  /// over HTTP. Default: `configs/bench-gateway.toml`.
  std::string scenario = "configs/bench-gateway.toml";
  /// Where the learned stream, the rounds' run directories and `gateway-load.csv` go. Default:
  /// `runs/bench-gateway`.
  std::string out = "runs/bench-gateway";
  /// Rounds with load and as many without, alternated. Default: 3.
  int64_t rounds = 3;
  /// `GET /status` requests per second while a loaded round trains. Default: 20.
  double status_rate = 20.0;
  /// `POST /tasks/NAME/predict` requests per second while a loaded round trains. Default: 5.
  double predict_rate = 5.0;
  /// Images in each predict request. Default: 64.
  int64_t images = 64;
  /// Predict requests per repetition of the throughput comparison (three, alternated), through
  /// HTTP (JSON and IDX bodies) and in process each. Default: 40.
  int64_t throughput_requests = 40;
};

/// `evostream bench gateway`: the cost of serving a run while it trains.
///
/// Learns the scenario once, then runs rounds, alternating without and with load: each copies
/// the learned run, serves it (`evostream serve` in process, on a free loopback port), adds the
/// scenario's first task again under a new name with `POST /tasks` and times its visit, from its
/// `task_started` to its `task_committed` event. In a loaded round, two clients of their own
/// (Boost.Beast, keep-alive) send `GET /status` and predict requests at fixed rates meanwhile.
/// Reports candidates per second with and without load (medians, and their ratio), each
/// route's p50 and p99 latency and the non-2xx answers, then predict throughput in images per
/// second through HTTP (JSON and IDX bodies) against the same `Predictor` in process (medians
/// of three alternated repetitions). Writes
/// `gateway-load.csv`, one row per round.
class GatewayLoadBench {
 public:
  explicit GatewayLoadBench(GatewayLoadOptions options) : options_(std::move(options)) {}
  /// Runs the benchmark, printing progress and the results to `out`; returns the exit status
  /// (1 when a request was answered with an error).
  int run(std::ostream& out) const;

  /// One round's measures.
  struct Round {
    bool loaded = false;
    /// The added task's visit: wall seconds and candidates trained.
    double seconds = 0.0;
    int64_t candidates = 0;
    /// Latencies in seconds of the load's requests, by route.
    std::vector<double> status_latencies;
    std::vector<double> predict_latencies;
    /// Requests answered with a status other than 2xx, or not answered.
    int64_t errors = 0;
  };
  /// The `q`-quantile (0..1) of `values` by the nearest-rank method; 0 for none.
  static double quantile(std::vector<double> values, double q);
  /// The CSV of the rounds: `round,loaded,seconds,candidates,candidates_per_second,
  /// status_requests,status_p50_ms,status_p99_ms,predict_requests,predict_p50_ms,
  /// predict_p99_ms,errors`.
  static std::string csv(const std::vector<Round>& rounds);

 private:
  GatewayLoadOptions options_;
};

}  // namespace evostream::app
