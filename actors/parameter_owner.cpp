#include "actors/parameter_owner.hpp"

#include "actors/messages.hpp"
#include "actors/run_error.hpp"

namespace evostream::actors {

parameter_owner_actor::behavior_type parameter_owner(
    parameter_owner_actor::pointer, model::StreamRunner* runner,
    std::shared_ptr<const streams::StreamTasks> tasks, const std::atomic<bool>* stop) {
  return {
      [runner, tasks, stop](begin_atom, int64_t event) -> caf::result<visit_ref> {
        try {
          return visit_ref{
              std::make_shared<model::TaskVisit>(runner->begin(*tasks->current(), event, stop))};
        } catch (const std::exception& e) {
          return caf::make_error(run_error::begin_failed, std::string(e.what()));
        }
      },
      [runner, tasks](commit_atom, visit_ref& ref) -> caf::result<commit_ref> {
        try {
          return commit_ref{std::make_shared<const model::CommitRecord>(
              runner->commit(*tasks->current(), *ref.visit))};
        } catch (const std::exception& e) {
          return caf::make_error(run_error::commit_failed, std::string(e.what()));
        }
      },
  };
}

}  // namespace evostream::actors
