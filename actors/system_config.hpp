#pragma once

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/messages.hpp"
#include "actors/run_error.hpp"
#include "actors/tls_credentials.hpp"

namespace evostream::actors {

/// Sets up `cfg` for a run or a worker: the project's message types and errors, networking (over
/// mutual TLS with `credentials`, a `FrameRelay`'s loopback ones; plain TCP without), and a
/// scheduler whose idle threads block instead of polling.
///
/// CAF's default work-stealing scheduler keeps idle threads polling (sleeping 50 µs at a time
/// for a while after each message). With the trainers on detached threads and as many
/// trainers as cores, those wake-ups preempted the trainers about 7,500 times a second: on
/// `configs/bench-scaling.toml` with 2 trainers, a candidate took 1.27× as long as alone,
/// against 1.03× with the sharing policy, whose idle threads wait on a condition variable.
/// The actors on the scheduler only route messages, so its single queue costs nothing
/// measurable.
inline void configure_system(caf::actor_system_config& cfg,
                             const TlsCredentials* credentials = nullptr) {
  cfg.add_message_types<caf::id_block::evostream>();
  add_run_errors(cfg);
  cfg.load<caf::io::middleman>();
  if (credentials != nullptr) {
    // One file for all three: both sides present the certificate and trust only it.
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = credentials->path();
    cfg.openssl_key = credentials->path();
    cfg.openssl_cafile = credentials->path();
  }
  cfg.set("scheduler.policy", caf::atom("sharing"));
}

}  // namespace evostream::actors
