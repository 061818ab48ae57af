#include "actors/snapshotter.hpp"

#include <string>

#include "actors/messages.hpp"
#include "actors/run_error.hpp"

namespace evostream::actors {

caf::behavior snapshotter(caf::event_based_actor*, SnapshotWriter write) {
  struct State {
    int64_t written = 0;
    std::string failure;  // the first failed write; later snapshots are not written
  };
  auto state = std::make_shared<State>();
  return {
      [write, state](snapshot_job& job) {
        if (!state->failure.empty())
          return;
        try {
          write(*job.progress, *job.added);
          ++state->written;
        } catch (const std::exception& e) {
          state->failure = e.what();
        }
      },
      [state](status_atom) -> caf::result<int64_t> {
        if (!state->failure.empty())
          return caf::make_error(run_error::snapshot_failed, state->failure);
        return state->written;
      },
  };
}

}  // namespace evostream::actors
