#include "actors/recorder.hpp"

#include <memory>

#include "actors/messages.hpp"

namespace evostream::actors {

caf::behavior recorder(caf::event_based_actor*) {
  auto done = std::make_shared<int64_t>(0);
  return {
      [done](observer_call& call) {
        call.run();
        ++*done;
      },
      [done](status_atom) { return *done; },
  };
}

}  // namespace evostream::actors
