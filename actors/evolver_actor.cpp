#include "actors/evolver_actor.hpp"

#include <algorithm>
#include <numeric>

#include "model/train/dispatch_order.hpp"

namespace evostream::actors {

namespace {

using Self = caf::stateful_actor<EvolverState>;

void next_batch(Self* self, const CandidateReport* report, model::TaskVisit* visit,
                const trainer_pool_actor& pool, model::VirtualSchedule* schedule,
                const model::CandidateTrainer* estimator) {
  auto& st = self->state;
  st.batch = visit->learner->next();
  if (st.batch.empty()) {
    visit->virtual_end = st.ready;
    st.done.deliver(true);
    self->quit();
    return;
  }
  st.replies.assign(st.batch.size(), std::nullopt);
  st.outstanding = st.batch.size();
  const int64_t task_index = visit->context->task_index;
  st.order.resize(st.batch.size());
  std::iota(st.order.begin(), st.order.end(), size_t{0});
  if (estimator)
    st.order = model::DispatchOrder::longest_first(st.batch, visit->context->task, *estimator);
  for (const size_t i : st.order) {
    const local_job job{st.next_job++, task_index,
                        std::make_shared<const model::TrainJob>(model::TrainJob::of(st.batch[i]))};
    self->request(pool, caf::infinite, job)
        .then(
            [self, report, visit, pool, schedule, estimator, i](local_reply& reply) {
              auto& s = self->state;
              s.replies[i] = std::move(reply);
              if (--s.outstanding > 0)
                return;
              // Virtual time: the jobs go on the schedule in the order they were handed out,
              // not in the order the (instant) simulated trainers happened to answer.
              if (schedule) {
                for (const size_t k : s.order)
                  s.batch_end = std::max(s.batch_end,
                                         schedule->place(s.ready, s.replies[k]->result->seconds));
              }
              for (size_t k = 0; k < s.batch.size(); ++k) {
                const model::CandidateRecord r =
                    visit->learner->recorded(s.batch[k], *s.replies[k]->result);
                if (report && *report)
                  (*report)(visit->context->task.name(), r);
              }
              s.ready = s.batch_end;
              next_batch(self, report, visit, pool, schedule, estimator);
            },
            [self](caf::error& err) {
              if (self->state.done.pending())
                self->state.done.deliver(std::move(err));
              self->quit();
            });
  }
}

}  // namespace

caf::behavior evolver_actor(Self* self, const CandidateReport* report, model::TaskVisit* visit,
                            trainer_pool_actor pool, model::VirtualSchedule* schedule,
                            const model::CandidateTrainer* estimator) {
  return {
      [self, report, visit, pool, schedule, estimator](start_atom) {
        self->state.done = self->make_response_promise();
        self->state.ready = visit->virtual_start;
        self->state.batch_end = visit->virtual_start;
        next_batch(self, report, visit, pool, schedule, estimator);
        return self->state.done;
      },
  };
}

}  // namespace evostream::actors
