#include "actors/stream_source.hpp"

#include <chrono>

#include "actors/messages.hpp"

namespace evostream::actors {

std::vector<double> arrival_times(const std::vector<double>& delays) {
  std::vector<double> out;
  double t = 0.0;
  for (double d : delays) {
    t += d;
    out.push_back(t);
  }
  return out;
}

caf::behavior stream_source(caf::event_based_actor* self, std::vector<double> delays,
                            caf::actor coordinator) {
  return {
      [self, delays, coordinator](start_atom) {
        const std::vector<double> times = arrival_times(delays);
        for (size_t e = 0; e < times.size(); ++e) {
          const auto index = static_cast<int64_t>(e);
          if (times[e] <= 0.0) {
            self->send(coordinator, arrive_atom_v, index);
          } else {
            self->delayed_send(
                coordinator,
                std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(times[e])),
                arrive_atom_v, index);
          }
        }
      },
  };
}

}  // namespace evostream::actors
