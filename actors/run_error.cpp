#include "actors/run_error.hpp"

namespace evostream::actors {

std::string to_string(run_error code) {
  switch (code) {
    case run_error::interrupted:
      return "the run was interrupted";
    case run_error::job_failed:
      return "training failed";
    case run_error::bad_job:
      return "a malformed job";
    case run_error::bad_reply:
      return "a malformed reply";
    case run_error::no_trainer:
      return "no trainer left to run the job";
    case run_error::workers_missing:
      return "awaited workers did not join";
    case run_error::begin_failed:
      return "beginning a task visit failed";
    case run_error::commit_failed:
      return "committing failed";
    case run_error::snapshot_failed:
      return "writing a snapshot failed";
    case run_error::record_failed:
      return "recording progress failed";
  }
  return "unknown run error";
}

void add_run_errors(caf::actor_system_config& cfg) {
  cfg.add_error_category(
      caf::atom("evostream"),
      [](uint8_t code, caf::atom_value, const caf::message& context) -> std::string {
        std::string out = to_string(static_cast<run_error>(code));
        if (context.match_elements<std::string>())
          out += ": " + context.get_as<std::string>(0);
        return out;
      });
}

}  // namespace evostream::actors
