#pragma once

#include <caf/all.hpp>
#include <cstdint>
#include <string>

namespace evostream::actors {

/// What went wrong in a run's actors: the codes of the errors they reply with. Each error
/// carries one line of context (`caf::make_error(run_error::..., "what happened")`), which
/// `render` prints after the code's description.
enum class run_error : uint8_t {
  /// A job stopped because the run was interrupted (Ctrl-C); not a failure of the run.
  interrupted = 1,
  /// Training a job failed (the context says which job and why).
  job_failed,
  /// A job was malformed: an unknown task, tensors that do not fill their shapes.
  bad_job,
  /// A remote trainer's reply did not decode.
  bad_reply,
  /// No trainer was left to run a job.
  no_trainer,
  /// The awaited remote workers did not all join in time.
  workers_missing,
  /// Beginning a task visit failed.
  begin_failed,
  /// Committing a task visit failed.
  commit_failed,
  /// Writing a snapshot failed.
  snapshot_failed,
  /// Recording progress (the events log, the display) failed.
  record_failed,
};

/// The code's description, e.g. "training failed".
std::string to_string(run_error code);

/// Whether an error only says that the run was interrupted.
inline bool is_interruption(const caf::error& e) {
  return e.category() == caf::atom("evostream") &&
         e.code() == static_cast<uint8_t>(run_error::interrupted);
}

/// Whether an error is the run's own (its store, its snapshots), which a stop does not excuse.
inline bool is_own_failure(const caf::error& e) {
  return e.category() == caf::atom("evostream") &&
         (e.code() == static_cast<uint8_t>(run_error::commit_failed) ||
          e.code() == static_cast<uint8_t>(run_error::snapshot_failed) ||
          e.code() == static_cast<uint8_t>(run_error::begin_failed));
}

/// Registers the renderer of `run_error`s with `cfg`.
void add_run_errors(caf::actor_system_config& cfg);

}  // namespace evostream::actors

CAF_ERROR_CODE_ENUM(evostream::actors::run_error, "evostream")
