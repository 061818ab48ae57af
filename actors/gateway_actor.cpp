#include "actors/gateway_actor.hpp"

#include <exception>

#include "actors/messages.hpp"

namespace evostream::actors {

caf::behavior gateway_actor(caf::event_based_actor* self, GatewaySetup setup) {
  return {
      [self, setup](arrive_atom) {
        try {
          const auto current = setup.tasks->current();
          auto next = setup.grow(*current);
          if (!next || next->size() <= current->size())
            return;
          setup.tasks->grow(next);
          self->send(setup.coordinator, grow_atom_v, tasks_ref{std::move(next)});
        } catch (const std::exception& e) {
          if (setup.on_error) {
            self->send(setup.recorder,
                       observer_call{[on_error = setup.on_error, why = std::string(e.what())] {
                         on_error(why);
                       }});
          }
        }
      },
  };
}

}  // namespace evostream::actors
