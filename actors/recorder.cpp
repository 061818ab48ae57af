#include "actors/recorder.hpp"

#include <memory>
#include <string>

#include "actors/messages.hpp"
#include "actors/run_error.hpp"

namespace evostream::actors {

caf::behavior recorder(caf::event_based_actor*) {
  auto done = std::make_shared<int64_t>(0);
  // The first call that failed (the events log on a full disk, say): reported by `status_atom`
  // instead of taking the actor down with CAF's "unhandled exception".
  auto failure = std::make_shared<std::string>();
  return {
      [done, failure](observer_call& call) {
        try {
          call.run();
        } catch (const std::exception& e) {
          if (failure->empty())
            *failure = e.what();
        }
        ++*done;
      },
      [done, failure](status_atom) -> caf::result<int64_t> {
        if (!failure->empty())
          return caf::make_error(run_error::record_failed, *failure);
        return *done;
      },
  };
}

}  // namespace evostream::actors
