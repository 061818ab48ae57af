#include "actors/evolver_actor.hpp"

#include "actors/blob_codec.hpp"

namespace evostream::actors {

namespace {

using Self = caf::stateful_actor<EvolverState>;

void next_batch(Self* self, model::StreamRunner* runner, model::TaskVisit* visit,
                const caf::actor& pool) {
  auto& st = self->state;
  st.batch = visit->learner->next();
  if (st.batch.empty()) {
    st.done.deliver(true);
    self->quit();
    return;
  }
  st.replies.assign(st.batch.size(), std::nullopt);
  st.outstanding = st.batch.size();
  const int64_t task_index = visit->context->task_index;
  for (size_t i = 0; i < st.batch.size(); ++i) {
    self->request(pool, caf::infinite, BlobCodec::job(st.next_job++, task_index, st.batch[i]))
        .then(
            [self, runner, visit, pool, i](train_reply& reply) {
              auto& s = self->state;
              s.replies[i] = std::move(reply);
              if (--s.outstanding > 0)
                return;
              for (size_t k = 0; k < s.batch.size(); ++k) {
                runner->report(
                    visit->context->task.name(),
                    visit->learner->record(s.batch[k], BlobCodec::result(*s.replies[k])));
              }
              next_batch(self, runner, visit, pool);
            },
            [self](caf::error& err) {
              if (self->state.done.pending())
                self->state.done.deliver(std::move(err));
              self->quit();
            });
  }
}

}  // namespace

caf::behavior evolver_actor(Self* self, model::StreamRunner* runner, model::TaskVisit* visit,
                            caf::actor pool) {
  return {
      [self, runner, visit, pool](start_atom) {
        self->state.done = self->make_response_promise();
        next_batch(self, runner, visit, pool);
        return self->state.done;
      },
  };
}

}  // namespace evostream::actors
