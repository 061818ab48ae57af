#include "actors/coordinator.hpp"

#include <fmt/format.h>

#include "actors/evolver_actor.hpp"
#include "actors/run_error.hpp"
#include "actors/stream_source.hpp"

namespace evostream::actors {

namespace {

using Self = coordinator_actor::stateful_base<CoordinatorState>;

void step(Self* self);

bool stopped(Self* self) {
  const auto& st = self->state;
  return st.stopping || (st.setup.stop && st.setup.stop->load()) ||
         (st.failure && is_interruption(st.failure));
}

// Answers `start_atom` once nothing the coordinator asked for is outstanding.
void deliver_when_quiet(Self* self) {
  auto& st = self->state;
  if (!st.finishing || st.owner_pending > 0 || st.downs_pending > 0 || !st.done.pending())
    return;
  if (st.failure && (!stopped(self) || is_own_failure(st.failure)))
    st.done.deliver(st.failure);
  else
    st.done.deliver(st.window ? st.window->done() : int64_t{0},
                    st.window ? st.window->virtual_seconds() : 0.0, false);
  if (st.source)
    self->send_exit(st.source, caf::exit_reason::user_shutdown);
  self->quit();
}

// Ends the run: abandons the visits in flight and waits until their evolvers are gone.
void finish(Self* self) {
  auto& st = self->state;
  if (st.finishing)
    return;
  st.finishing = true;
  for (const auto& f : st.in_flight) {
    if (!f.evolver)
      continue;
    ++st.downs_pending;
    self->monitor(f.evolver);
    self->send_exit(f.evolver, caf::exit_reason::user_shutdown);
  }
  deliver_when_quiet(self);
}

void fail(Self* self, caf::error err) {
  if (!self->state.failure)
    self->state.failure = std::move(err);
  finish(self);
}

// An open run's stream is learned: answers `start_atom` (the first time, and then once more
// was learned) and waits to be asked to go on.
void pause(Self* self) {
  auto& st = self->state;
  if (st.paused || !st.done.pending() || st.owner_pending > 0 || st.window->done() == st.answered)
    return;
  st.paused = true;
  st.answered = st.window->done();
  st.done.deliver(st.window->done(), st.window->virtual_seconds(), true);
}

// The stream is now `tasks` (it grew at its end): its new tasks have arrived.
void apply_growth(Self* self, std::shared_ptr<const std::vector<streams::TaskData>> tasks) {
  auto& st = self->state;
  const size_t before = st.setup.tasks->size();
  if (!tasks || tasks->size() <= before)
    return;
  const size_t n = tasks->size();
  st.setup.tasks = std::move(tasks);
  st.setup.delays.resize(n, 0.0);
  if (!st.window)
    return;                    // the stream starts with them
  st.arrivals.resize(n, 0.0);  // at once
  try {
    st.window->grow(static_cast<int64_t>(n));
  } catch (const std::exception& e) {
    fail(self, caf::make_error(run_error::begin_failed, std::string(e.what())));
    return;
  }
  for (size_t j = before; j < n; ++j)
    st.window->arrived(static_cast<int64_t>(j));
}

// Tells the recorder that the stream waits for task `next`'s arrival, once per task.
void announce_wait(Self* self, int64_t next) {
  auto& st = self->state;
  const auto& tasks = *st.setup.tasks;
  if (next >= static_cast<int64_t>(tasks.size()) || next == st.waited_for || !st.setup.on_wait)
    return;
  const double left =
      st.arrivals[static_cast<size_t>(next)] -
      std::chrono::duration<double>(std::chrono::steady_clock::now() - st.stream_start).count();
  if (left <= 0.0)
    return;
  st.waited_for = next;
  caf::anon_send(st.setup.recorder,
                 observer_call{[on_wait = st.setup.on_wait, task = tasks[next].name(), left] {
                   on_wait(task, left);
                 }});
}

// Hands a commit to the recorder (task committed) and the snapshotter (its snapshot).
void forward_commit(Self* self, std::shared_ptr<const model::CommitRecord> record) {
  const auto& st = self->state;
  const model::RunObserver& observer = st.setup.observer;
  if (observer.task_committed) {
    caf::anon_send(st.setup.recorder,
                   observer_call{[task_committed = observer.task_committed, record] {
                     task_committed(record->task, record->measured, record->average_accuracy);
                   }});
  }
  if (st.setup.writer) {
    caf::anon_send(
        st.setup.writer,
        snapshot_job{std::shared_ptr<const model::ProgressStep>(record, &record->step),
                     std::shared_ptr<const std::vector<model::Component>>(record, &record->added)});
  }
}

void commit_ready(Self* self) {
  auto& st = self->state;
  if (st.finishing)
    return;
  const std::optional<int64_t> e = st.window->take_commit();
  if (!e)
    return;
  auto& front = st.in_flight.front();
  if (st.setup.schedule)
    st.window->virtual_commit(*e, front.visit->virtual_end);
  ++st.owner_pending;
  self->request(st.setup.owner, caf::infinite, commit_atom_v, visit_ref{front.visit})
      .then(
          [self, e](commit_ref& ref) {
            auto& s = self->state;
            --s.owner_pending;
            forward_commit(self, std::move(ref.record));
            s.window->committed(*e);
            s.in_flight.pop_front();
            if (s.finishing) {
              deliver_when_quiet(self);
              return;
            }
            step(self);
          },
          [self](caf::error& err) {
            --self->state.owner_pending;
            fail(self, std::move(err));
          });
}

void begun(Self* self, int64_t event, std::shared_ptr<model::TaskVisit> visit) {
  auto& st = self->state;
  const size_t slot = static_cast<size_t>(event - st.window->done());
  if (st.setup.schedule)
    visit->virtual_start = st.window->virtual_start(event);
  if (st.setup.observer.task_started) {
    const auto& tasks = *st.setup.tasks;
    const int64_t n = static_cast<int64_t>(tasks.size());
    caf::anon_send(
        st.setup.recorder,
        observer_call{[task_started = st.setup.observer.task_started, index = event % n,
                       iteration = event / n, task = &tasks[static_cast<size_t>(event % n)]] {
          task_started(index, iteration, *task);
        }});
  }
  const caf::actor evolver = self->spawn(evolver_actor, &st.report, visit.get(), st.setup.pool,
                                         st.setup.schedule, st.setup.estimator);
  if (st.in_flight.size() <= slot)
    st.in_flight.resize(slot + 1);
  st.in_flight[slot] = {std::move(visit), evolver};
  self->request(evolver, caf::infinite, start_atom_v)
      .then(
          [self, event](bool) {
            if (self->state.finishing)
              return;
            self->state.window->evolved(event);
            commit_ready(self);
          },
          [self](caf::error& err) { fail(self, std::move(err)); });
}

// Begins every visit the window allows, in stream order.
void step(Self* self) {
  auto& st = self->state;
  if (st.finishing)
    return;
  if (st.window->finished()) {
    if (st.setup.open)
      pause(self);
    else
      finish(self);
    return;
  }
  const std::vector<int64_t> ready = st.window->take_ready();
  for (const int64_t e : ready) {
    ++st.owner_pending;
    self->request(st.setup.owner, caf::infinite, begin_atom_v, e)
        .then(
            [self, e](visit_ref& ref) {
              --self->state.owner_pending;
              if (self->state.finishing) {
                deliver_when_quiet(self);  // the visit is abandoned unstarted
                return;
              }
              begun(self, e, std::move(ref.visit));
            },
            [self](caf::error& err) {
              --self->state.owner_pending;
              fail(self, std::move(err));
            });
  }
  if (ready.empty() && st.window->in_flight() < st.setup.runner->concurrent_tasks())
    announce_wait(self, st.window->done() + st.window->in_flight());
  commit_ready(self);
}

// Starts the stream once the awaited trainers are there.
void begin_stream(Self* self) {
  auto& st = self->state;
  const auto& tasks = *st.setup.tasks;
  st.window.emplace(st.setup.runner->events_total(tasks), static_cast<int64_t>(tasks.size()),
                    st.setup.runner->progress().events_done, st.setup.runner->concurrent_tasks(),
                    st.setup.virtual_arrivals);
  st.arrivals = arrival_times(st.setup.delays);
  st.stream_start = std::chrono::steady_clock::now();
  st.source = self->spawn(stream_source, st.setup.delays, caf::actor_cast<caf::actor>(self));
  caf::anon_send(st.source, start_atom_v);
  step(self);
}

}  // namespace

coordinator_actor::behavior_type coordinator(Self* self, CoordinatorSetup setup) {
  self->state.setup = std::move(setup);
  if (const auto& done = self->state.setup.observer.candidate_done) {
    self->state.report = [recorder = self->state.setup.recorder, done](
                             const std::string& task, const model::CandidateRecord& r) {
      caf::anon_send(recorder, observer_call{[done, task, r] { done(task, r); }});
    };
  }
  self->set_down_handler([self](const caf::down_msg&) {
    --self->state.downs_pending;
    deliver_when_quiet(self);
  });
  return {
      [self](start_atom) -> caf::result<int64_t, double, bool> {
        auto& st = self->state;
        st.done = self->make_response_promise();
        if (st.finishing) {  // stopped before it started, or while paused
          deliver_when_quiet(self);
          return caf::delegated<int64_t, double, bool>();
        }
        if (st.window) {  // an open run goes on
          st.paused = false;
          apply_growth(self, std::move(st.grown));
          st.grown.reset();
          step(self);
          return caf::delegated<int64_t, double, bool>();
        }
        self->request(st.setup.pool, st.setup.await_timeout, await_atom_v, st.setup.trainers)
            .then(
                [self](bool) {
                  if (!self->state.finishing)
                    begin_stream(self);
                },
                [self](caf::error& err) {
                  if (err != caf::sec::request_timeout) {
                    fail(self, std::move(err));
                    return;
                  }
                  // Say how many came.
                  self->request(self->state.setup.pool, caf::infinite, status_atom_v)
                      .then([self](int64_t alive, int64_t, int64_t, int64_t, double) {
                        const auto& s = self->state.setup;
                        fail(self, caf::make_error(
                                       run_error::workers_missing,
                                       fmt::format("{} trainer(s) awaited, {} alive after {} s",
                                                   s.trainers, alive, s.await_timeout.count())));
                      });
                });
        return caf::delegated<int64_t, double, bool>();
      },
      [self](grow_atom, tasks_ref& ref) {
        auto& st = self->state;
        if (st.finishing)
          return;
        if (st.paused) {
          if (!st.grown || (ref.tasks && ref.tasks->size() > st.grown->size()))
            st.grown = std::move(ref.tasks);
          return;
        }
        apply_growth(self, std::move(ref.tasks));
        if (st.window)
          step(self);
      },
      [self](arrive_atom, int64_t task) {
        auto& st = self->state;
        if (!st.window || st.finishing)
          return;
        st.window->arrived(task);
        step(self);
      },
      [self](stop_atom) {
        self->state.stopping = true;
        finish(self);
      },
  };
}

}  // namespace evostream::actors
