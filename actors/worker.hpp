#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "actors/tls_credentials.hpp"
#include "storage/fault_injection.hpp"

namespace evostream::actors {

/// A remote trainer process (`evostream worker --connect HOST:PORT`).
///
/// Connects to a run's trainer pool, asks it for the scenario, builds the tasks from its own
/// copy of the datasets, spawns one trainer and joins the pool; it then trains whatever jobs it
/// is given until the run ends or the connection drops.
class Worker {
 public:
  /// `device`: "cpu" or "cuda:K"; `threads`: torch threads of its trainer; `credentials`: the
  /// run's (mutual TLS), none for a run listening on plain TCP (`--insecure`); `max_message`:
  /// the largest message taken from the run, in bytes (`FrameRelay`).
  /// `faults.kill_in_job`: crash tests kill the worker in the middle of that job.
  Worker(std::string host, uint16_t port, std::string device, int64_t threads,
         std::optional<TlsCredentials> credentials, uint64_t max_message,
         storage::FaultInjection faults = {});
  /// Runs until the run ends; prints what it does to `out`. Returns the exit status; raises
  /// `std::runtime_error` when it cannot connect, or when its connection was cut for a message
  /// over `max_message`.
  int run(std::ostream& out) const;

 private:
  std::string host_;
  uint16_t port_;
  std::string device_;
  int64_t threads_;
  std::optional<TlsCredentials> credentials_;
  uint64_t max_message_;
  storage::FaultInjection faults_;
};

}  // namespace evostream::actors
