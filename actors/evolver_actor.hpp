#pragma once

#include <caf/all.hpp>
#include <optional>
#include <vector>

#include "actors/messages.hpp"
#include "model/stream_runner.hpp"

namespace evostream::actors {

/// State of an evolver: the batch in flight and the replies that came back.
struct EvolverState {
  std::vector<model::Candidate> batch;
  std::vector<std::optional<train_reply>> replies;
  size_t outstanding = 0;
  caf::response_promise done;
  uint64_t next_job = 0;
  static inline const char* name = "evolver";
};

/// The evolver of one task visit: sends each batch of the visit's candidates to the trainer
/// pool at once, records the replies in candidate order when the whole batch is back (so the
/// outcome does not depend on which trainer finished first), and asks for the next batch.
///
/// `start_atom` → `true` when the learner has no more candidates (the visit is ready to
/// commit), or the first error a job returned. `runner` and `visit` must outlive the actor; the
/// run's state must not change while it works.
caf::behavior evolver_actor(caf::stateful_actor<EvolverState>* self, model::StreamRunner* runner,
                            model::TaskVisit* visit, caf::actor pool);

}  // namespace evostream::actors
