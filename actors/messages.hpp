#pragma once

#include <caf/all.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "model/run/stream_runner.hpp"
#include "model/train/train_job.hpp"

/// The messages actors exchange: all serialisable so they can cross the network, except the
/// snapshot jobs that stay in the process.

namespace evostream::model {

/// An optimizer a strategy chose travels field by field.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, OptimizerOptions& x) {
  return f(caf::meta::type_name("optimizer_options"), x.kind, x.momentum, x.nesterov,
           x.weight_decay, x.clip_norm, x.carry_state);
}

/// One of a strategy's own values in a recipe.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, RecipeExtra& x) {
  return f(caf::meta::type_name("recipe_extra"), x.name, x.value, x.integer);
}

/// A path's recipe travels as it is: field by field from its one description
/// (`model::fields_of`), then its objective's name, its optimizer (a flag and the options) and
/// its extras.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, TrainRecipe& x) {
  bool has_optimizer = x.optimizer.has_value();
  OptimizerOptions optimizer = x.optimizer.value_or(OptimizerOptions{});
  auto loaded = caf::meta::load_callback([&]() -> caf::error {
    x.optimizer.reset();
    if (has_optimizer)
      x.optimizer = optimizer;
    return caf::none;
  });
  return std::apply(
      [&](auto&... field) {
        return f(caf::meta::type_name("train_recipe"), field..., x.objective, has_optimizer,
                 optimizer, x.extras, loaded);
      },
      fields_of(x));
}

}  // namespace evostream::model

namespace evostream::actors {

/// One tensor of a component: its name, shape and float32 values.
struct tensor_blob {
  std::string name;
  std::vector<int64_t> shape;
  /// "float32", "uint8" or "int64".
  std::string dtype = "float32";
  /// The values' bytes in the machine's order.
  std::vector<uint8_t> data;
};

/// A component as it travels: identity, every tensor, and its momentum traces (none or one per
/// tensor); or, for a frozen component the receiver already has, only its id and its content
/// hash in `reference` (`SentComponents`, `ReceivedComponents`).
struct component_blob {
  std::string id;
  std::string kind;
  int64_t index = -1;
  std::string owner;
  std::string parent;
  bool frozen = false;
  std::vector<tensor_blob> tensors;
  std::vector<tensor_blob> momentum;
  /// Adam's second moments and step count (`model::Component::second_moment`); empty and 0
  /// without them.
  std::vector<tensor_blob> second_moment;
  int64_t optimizer_steps = 0;
  /// The content hash of the component this blob refers to; empty for a whole component.
  std::string reference;
};

/// Train this candidate of task `task_index` for `steps` steps (0: the strategy's) with `seed`,
/// validating every `validation_interval` steps (0: the strategy's), minimising the objective
/// its recipe names with the optimizer it names (none: the worker's own).
struct train_job {
  uint64_t job = 0;
  int64_t task_index = 0;
  std::vector<component_blob> components;
  model::TrainRecipe recipe;
  uint64_t seed = 0;
  int64_t steps = 0;
  int64_t validation_interval = 0;
  /// Where its steps lie in a longer learning-rate schedule (`model::TrainJob`).
  int64_t schedule_offset = 0;
  int64_t schedule_steps = 0;
};

/// What training a job produced (`model::TrainResult`).
struct train_reply {
  uint64_t job = 0;
  double quality = 0.0;
  int64_t best_step = 0;
  std::vector<component_blob> trained;
  double seconds = 0.0;
  double train_seconds = 0.0;
  double validation_seconds = 0.0;
  int64_t images = 0;
  /// The validations: (step, accuracy, loss) for each, in order.
  std::vector<double> curve;
  /// The loss over stretches of steps: (step, loss) for each, in order.
  std::vector<double> losses;
  /// The loss terms' names; each reported value with its key, stretch × names + name.
  std::vector<std::string> terms;
  std::vector<uint64_t> term_keys;
  std::vector<double> term_values;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tensor_blob& x) {
  return f(caf::meta::type_name("tensor_blob"), x.name, x.shape, x.dtype, x.data);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, component_blob& x) {
  return f(caf::meta::type_name("component_blob"), x.id, x.kind, x.index, x.owner, x.parent,
           x.frozen, x.tensors, x.momentum, x.second_moment, x.optimizer_steps, x.reference);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, train_job& x) {
  return f(caf::meta::type_name("train_job"), x.job, x.task_index, x.components, x.recipe, x.seed,
           x.steps, x.validation_interval, x.schedule_offset, x.schedule_steps);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, train_reply& x) {
  return f(caf::meta::type_name("train_reply"), x.job, x.quality, x.best_step, x.trained, x.seconds,
           x.train_seconds, x.validation_seconds, x.images, x.curve, x.losses, x.terms, x.term_keys,
           x.term_values);
}

/// A job for a trainer of this process: the candidate's components as shared handles, never
/// copied (local only; the trainer pool encodes it as a `train_job` for a remote trainer).
struct local_job {
  uint64_t job = 0;
  int64_t task_index = 0;
  std::shared_ptr<const model::TrainJob> work;
};

/// What a job produced, handed back without copying its tensors (local only).
struct local_reply {
  uint64_t job = 0;
  std::shared_ptr<const model::TrainResult> result;
};

/// A snapshot for the snapshotter: what a commit changed and the components it added (shared,
/// never sent over the network).
struct snapshot_job {
  std::shared_ptr<const model::ProgressStep> progress;
  std::shared_ptr<const std::vector<model::Component>> added;
};

/// A task visit handed from the parameter owner to the coordinator and back (local only).
struct visit_ref {
  std::shared_ptr<model::TaskVisit> visit;
};

/// What a commit did, from the parameter owner to the coordinator (local only).
struct commit_ref {
  std::shared_ptr<const model::CommitRecord> record;
};

/// The stream's tasks after it grew, from the gateway to the coordinator (local only).
struct tasks_ref {
  std::shared_ptr<const std::vector<streams::TaskData>> tasks;
};

/// An observer call for the recorder to run (local only).
struct observer_call {
  std::function<void()> run;
};

}  // namespace evostream::actors

CAF_BEGIN_TYPE_ID_BLOCK(evostream, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(evostream, (evostream::actors::tensor_blob))
CAF_ADD_TYPE_ID(evostream, (evostream::actors::component_blob))
CAF_ADD_TYPE_ID(evostream, (evostream::model::TrainRecipe))
CAF_ADD_TYPE_ID(evostream, (evostream::actors::train_job))
CAF_ADD_TYPE_ID(evostream, (evostream::actors::train_reply))
CAF_ADD_ATOM(evostream, evostream::actors, join_atom, "join")
CAF_ADD_ATOM(evostream, evostream::actors, start_atom, "start")
CAF_ADD_ATOM(evostream, evostream::actors, status_atom, "status")
CAF_ADD_ATOM(evostream, evostream::actors, scenario_atom, "scenario")
CAF_ADD_ATOM(evostream, evostream::actors, arrive_atom, "arrive")
CAF_ADD_TYPE_ID(evostream, (evostream::actors::snapshot_job))
CAF_ADD_TYPE_ID(evostream, (evostream::actors::visit_ref))
CAF_ADD_TYPE_ID(evostream, (evostream::actors::observer_call))
CAF_ADD_ATOM(evostream, evostream::actors, begin_atom, "begin")
CAF_ADD_ATOM(evostream, evostream::actors, commit_atom, "commit")
CAF_ADD_TYPE_ID(evostream, (evostream::actors::local_job))
CAF_ADD_TYPE_ID(evostream, (evostream::actors::local_reply))
CAF_ADD_ATOM(evostream, evostream::actors, await_atom, "await")
CAF_ADD_ATOM(evostream, evostream::actors, stop_atom, "stop")
CAF_ADD_TYPE_ID(evostream, (evostream::actors::commit_ref))
CAF_ADD_ATOM(evostream, evostream::actors, rejoin_atom, "rejoin")
CAF_ADD_ATOM(evostream, evostream::actors, grow_atom, "grow")
CAF_ADD_TYPE_ID(evostream, (evostream::actors::tasks_ref))
CAF_END_TYPE_ID_BLOCK(evostream)

// Local only: tensors, visits and calls are shared, not serialised.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(evostream::actors::snapshot_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(evostream::actors::visit_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(evostream::actors::observer_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(evostream::actors::local_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(evostream::actors::local_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(evostream::actors::commit_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(evostream::actors::tasks_ref)
