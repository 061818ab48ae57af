#pragma once

#include <string>

#include "model/stream_runner.hpp"

namespace evostream::storage {

/// What a run directory records about how the run was started (beyond the scenario copy).
struct RunIdentity {
  /// The scenario's name.
  std::string scenario;
  /// The strategy that runs (the scenario's, or `--strategy`).
  std::string strategy;
  /// The run seed (the scenario's, or `--seed`).
  uint64_t seed = 1;
  /// Task visits the run makes in all.
  int64_t events_total = 0;
};

/// Converts a run's progress to and from the JSON text a snapshot stores.
///
/// Numbers are written so they read back to the same bits, so a resumed run continues from
/// exactly the state the snapshot captured.
class ProgressCodec {
 public:
  /// The JSON text of `progress` and `identity`.
  static std::string encode(const RunIdentity& identity, const model::RunProgress& progress);
  /// Reads what `encode` wrote; raises `StorageError` naming `file` and the first bad field.
  static std::pair<RunIdentity, model::RunProgress> decode(const std::string& text,
                                                           const std::string& file);
  /// The text form of a learning-rate schedule ("constant", "cosine", "restarts").
  static const char* schedule_name(model::Schedule schedule);
};

}  // namespace evostream::storage
