#pragma once

#include <caf/all.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/coordinator.hpp"
#include "streams/stream_tasks.hpp"

namespace evostream::actors {

/// What the gateway actor of a served run works with.
struct GatewaySetup {
  /// The stream's tasks, which the gateway grows (the trainers and the parameter owner read
  /// them).
  std::shared_ptr<streams::StreamTasks> tasks;
  /// Builds the stream as it stands now from its latest tasks: those tasks followed by the
  /// ones that arrived since, or null (or no more tasks) when none did. Runs on the gateway's
  /// thread and may load datasets. Required.
  std::function<std::shared_ptr<const std::vector<streams::TaskData>>(
      const std::vector<streams::TaskData>&)>
      grow;
  /// Called (on the recorder) with the reason when `grow` raised; the stream stays as it was
  /// and the next arrival tries again. May be empty.
  std::function<void(const std::string&)> on_error;
  /// Where the grown stream goes, and where `on_error` runs.
  coordinator_actor coordinator;
  caf::actor recorder;
};

/// The gateway actor: where a served run's new tasks enter the actor system. On each
/// `arrive_atom` (a task was added to the run's scenario copy: the HTTP gateway's `POST
/// /tasks`) it builds the grown stream off the HTTP threads and off the coordinator, makes it
/// the stream's latest tasks and hands it to the coordinator (`grow_atom`), which begins the
/// new tasks as its window allows, while the stream's earlier tasks may still be learning.
/// Arrivals are taken one at a time, in order. Building loads datasets: spawn it `detached`.
caf::behavior gateway_actor(caf::event_based_actor* self, GatewaySetup setup);

}  // namespace evostream::actors
