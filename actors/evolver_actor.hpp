#pragma once

#include <caf/all.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "actors/trainer_pool.hpp"
#include "model/run/stream_runner.hpp"
#include "model/run/virtual_schedule.hpp"
#include "model/train/candidate_trainer.hpp"

namespace evostream::actors {

/// Where an evolver reports each candidate it recorded: (task, what happened to it).
using CandidateReport = std::function<void(const std::string&, const model::CandidateRecord&)>;

/// State of an evolver: the batch in flight and the replies that came back.
struct EvolverState {
  std::vector<model::Candidate> batch;
  /// The order the batch's jobs were handed to the pool (longest expected first).
  std::vector<size_t> order;
  std::vector<std::optional<local_reply>> replies;
  size_t outstanding = 0;
  caf::response_promise done;
  uint64_t next_job = 0;
  /// Simulated runs: when the batch in flight was proposed and when its latest job ends.
  double ready = 0.0;
  double batch_end = 0.0;
  static inline const char* name = "evolver";
};

/// The evolver of one task visit: sends each batch of the visit's candidates to the trainer
/// pool at once, records the replies in candidate order when the whole batch is back (so the
/// outcome does not depend on which trainer finished first), and asks for the next batch.
///
/// `start_atom` → `true` when the learner has no more candidates (the visit is ready to
/// commit), or the first error a job returned. Each recorded candidate goes to `report` (may be
/// null). `report` and `visit` must outlive the actor; the
/// run's state must not change while it works. With a `schedule` (simulated runs), each job's
/// virtual cost is placed on it: a batch is ready when the one before it ended, the first at
/// `visit->virtual_start`; `visit->virtual_end` is set when the last batch ends. With an
/// `estimator`, a batch's jobs go to the pool longest expected first (by its
/// `CandidateTrainer::estimated_flops`), so a generation's last job is a short one; without, in
/// order.
caf::behavior evolver_actor(caf::stateful_actor<EvolverState>* self, const CandidateReport* report,
                            model::TaskVisit* visit, trainer_pool_actor pool,
                            model::VirtualSchedule* schedule = nullptr,
                            const model::CandidateTrainer* estimator = nullptr);

}  // namespace evostream::actors
