#include "actors/trainer_pool.hpp"

#include <algorithm>

#include "actors/blob_codec.hpp"
#include "actors/run_error.hpp"

namespace evostream::actors {

namespace {

using Self = trainer_pool_actor::stateful_pointer<TrainerPoolState>;

void fail_all(Self self, const caf::error& why) {
  auto& st = self->state;
  while (!st.queue.empty()) {
    st.queue.front().promise.deliver(why);
    st.queue.pop_front();
  }
}

// With no trainer alive, the queued jobs fail, or wait for one to join when the pool may.
void fail_all_if_empty(Self self) {
  auto& st = self->state;
  if (!st.alive.empty() || st.queue.empty())
    return;
  if (st.loss.wait.count() <= 0) {
    fail_all(self, caf::make_error(run_error::no_trainer));
    return;
  }
  if (st.waiting)
    return;
  st.waiting = true;
  ++st.wait_number;
  if (st.loss.on_wait)
    st.loss.on_wait(st.loss.wait);
  self->delayed_send(self, st.loss.wait, rejoin_atom_v, st.wait_number);
}

// Takes `trainer`'s job off the busy map, counting the wall time when the last one ends.
void not_busy(TrainerPoolState& st, caf::actor_addr trainer) {
  if (st.busy.erase(trainer) > 0 && st.busy.empty()) {
    st.busy_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - st.busy_since).count();
  }
}

// Puts a dead trainer's job back at the front of the queue.
void requeue(Self self, const caf::actor_addr& trainer) {
  auto& st = self->state;
  auto b = st.busy.find(trainer);
  if (b == st.busy.end())
    return;
  st.queue.push_front(*b->second);
  not_busy(st, trainer);
  ++st.requeued;
}

// Picks the next (idle trainer, queued job) pair: the first queued job that an idle trainer can
// take. A job that cannot travel (its objective carries data) waits for a trainer of this
// process, and is refused when the pool has none. Returns false when no pair is ready.
bool pick(Self self, caf::actor& trainer, std::shared_ptr<TrainerPoolState::Pending>& pending) {
  auto& st = self->state;
  const auto local = [self](const caf::actor& a) { return a.node() == self->node(); };
  const bool local_alive = std::any_of(st.alive.begin(), st.alive.end(),
                                       [self](const auto& a) { return a.node() == self->node(); });
  for (auto job = st.queue.begin(); job != st.queue.end() && !st.idle.empty();) {
    auto chosen = std::prev(st.idle.end());
    if (!BlobCodec::remotable(*job->job.work)) {
      chosen = std::find_if(st.idle.begin(), st.idle.end(), local);
      if (chosen == st.idle.end()) {
        if (!local_alive) {
          job->promise.deliver(caf::make_error(
              run_error::bad_job, BlobCodec::why_not_remotable(*job->job.work) +
                                      ", and this run has no trainer of its own (--trainers 0)"));
          job = st.queue.erase(job);
        } else {
          ++job;
        }
        continue;
      }
    }
    trainer = *chosen;
    st.idle.erase(chosen);
    pending = std::make_shared<TrainerPoolState::Pending>(std::move(*job));
    st.queue.erase(job);
    return true;
  }
  return false;
}

void dispatch(Self self) {
  auto& st = self->state;
  caf::actor trainer;
  std::shared_ptr<TrainerPoolState::Pending> pending;
  while (pick(self, trainer, pending)) {
    if (st.busy.empty())
      st.busy_since = std::chrono::steady_clock::now();
    st.busy[trainer.address()] = pending;
    auto done = [self, trainer, pending](local_reply reply) {
      auto& s = self->state;
      auto b = s.busy.find(trainer.address());
      if (b == s.busy.end() || b->second != pending)
        return;  // already run elsewhere
      not_busy(s, b->first);
      pending->promise.deliver(std::move(reply));
      if (s.alive.count(trainer.address()))
        s.idle.push_back(trainer);
      dispatch(self);
    };
    auto failed = [self, trainer, pending](caf::error& err) {
      auto& s = self->state;
      auto b = s.busy.find(trainer.address());
      if (b == s.busy.end() || b->second != pending)
        return;
      // A trainer that died with the job (gone, or quit without replying): run it
      // elsewhere.
      if (err == caf::sec::request_receiver_down || err == caf::sec::unexpected_response) {
        s.alive.erase(trainer.address());
        self->send_exit(trainer, caf::exit_reason::kill);
        requeue(self, trainer.address());
        fail_all_if_empty(self);
      } else {
        not_busy(s, b->first);
        pending->promise.deliver(std::move(err));
        if (s.alive.count(trainer.address()))
          s.idle.push_back(trainer);
      }
      dispatch(self);
    };
    if (trainer.node() == self->node()) {
      self->request(trainer, caf::infinite, pending->job)
          .then([done](local_reply& reply) { done(std::move(reply)); }, failed);
    } else {
      const local_job& job = pending->job;
      train_job encoded;
      try {
        encoded = BlobCodec::job(job.job, job.task_index, *job.work, &st.sent[trainer.address()]);
      } catch (const std::exception& e) {
        // Not a job this trainer can take: refused, and the trainer is idle again.
        not_busy(st, trainer.address());
        pending->promise.deliver(caf::make_error(run_error::bad_job, std::string(e.what())));
        st.idle.push_back(trainer);
        continue;
      }
      self->request(trainer, caf::infinite, std::move(encoded))
          .then(
              [done, failed](train_reply& reply) mutable {
                std::shared_ptr<const model::TrainResult> result;
                try {
                  result = std::make_shared<const model::TrainResult>(BlobCodec::result(reply));
                } catch (const std::exception& e) {
                  caf::error err = caf::make_error(
                      run_error::bad_reply,
                      "a remote trainer's reply does not decode: " + std::string(e.what()));
                  failed(err);
                  return;
                }
                done(local_reply{reply.job, std::move(result)});
              },
              failed);
    }
  }
}

void add(Self self, const caf::actor& trainer) {
  auto& st = self->state;
  self->monitor(trainer);
  st.waiting = false;
  st.alive.insert(trainer.address());
  st.idle.push_back(trainer);
  auto ready = std::stable_partition(st.awaiting.begin(), st.awaiting.end(), [&](const auto& a) {
    return a.first > static_cast<int64_t>(st.alive.size());
  });
  for (auto it = ready; it != st.awaiting.end(); ++it)
    it->second.deliver(true);
  st.awaiting.erase(ready, st.awaiting.end());
}

}  // namespace

trainer_pool_actor::behavior_type trainer_pool(Self self, std::vector<caf::actor> trainers,
                                               WorkerOffer offer, TrainerLoss loss) {
  self->state.offer = std::move(offer);
  self->state.loss = std::move(loss);
  for (const auto& t : trainers)
    add(self, t);
  self->set_down_handler([self](const caf::down_msg& down) {
    auto& st = self->state;
    st.alive.erase(down.source);
    st.sent.erase(down.source);
    requeue(self, down.source);
    st.idle.erase(std::remove_if(st.idle.begin(), st.idle.end(),
                                 [&](const caf::actor& a) { return a.address() == down.source; }),
                  st.idle.end());
    fail_all_if_empty(self);
    dispatch(self);
  });
  return {
      [self](local_job& job) {
        auto promise = self->make_response_promise<local_reply>();
        self->state.queue.push_back({std::move(job), promise});
        if (self->state.alive.empty())
          fail_all_if_empty(self);
        dispatch(self);
        return promise;
      },
      [self](rejoin_atom, uint64_t number) {
        auto& st = self->state;
        if (!st.waiting || number != st.wait_number)
          return;  // a trainer joined meanwhile
        st.waiting = false;
        fail_all(self,
                 caf::make_error(run_error::no_trainer,
                                 "none joined within " + std::to_string(st.loss.wait.count()) +
                                     " s after the last one left (--worker-timeout)"));
      },
      [self](join_atom, caf::actor trainer) {
        add(self, trainer);
        dispatch(self);
      },
      [self](await_atom, int64_t n) -> caf::result<bool> {
        auto& st = self->state;
        if (static_cast<int64_t>(st.alive.size()) >= n)
          return true;
        st.awaiting.emplace_back(n, self->make_response_promise<bool>());
        return caf::delegated<bool>();
      },
      [self](scenario_atom) -> caf::result<std::string, uint64_t> {
        return {self->state.offer.scenario, self->state.offer.seed};
      },
      [self](status_atom) -> caf::result<int64_t, int64_t, int64_t, int64_t, double> {
        const auto& st = self->state;
        double busy = st.busy_seconds;
        if (!st.busy.empty()) {
          busy += std::chrono::duration<double>(std::chrono::steady_clock::now() - st.busy_since)
                      .count();
        }
        return {static_cast<int64_t>(st.alive.size()), static_cast<int64_t>(st.idle.size()),
                static_cast<int64_t>(st.queue.size()), st.requeued, busy};
      },
  };
}

}  // namespace evostream::actors
