#include "model/run/results_builder.hpp"

#include <set>
#include <string>

#include "model/core/component_usage.hpp"

namespace evostream::model {

RunResults build_results(const streams::Scenario& scenario, const Strategy& strategy,
                         const RunState& state, const RunProgress& progress,
                         const std::vector<streams::TaskData>& tasks) {
  RunResults out;
  out.scenario = scenario.name;
  out.strategy = strategy.name();
  out.seed = scenario.seed;
  out.root_params = state.root_params;
  out.events_done = progress.events_done;
  out.events_total = scenario.run.iterations * static_cast<int64_t>(tasks.size());
  out.complete = out.events_done == out.events_total;
  out.simulated = strategy.environment().simulation != nullptr;
  std::vector<std::string> names;
  for (const auto& t : tasks)
    names.push_back(t.name());
  out.matrix = AccuracyMatrix(names);
  for (size_t i = 0; i < progress.rows.size(); ++i)
    out.matrix.add_entries(progress.row_learned[i], progress.rows[i]);
  out.train_seconds = progress.train_seconds;
  out.evaluation_seconds = progress.evaluation_seconds;
  out.wall_seconds = progress.wall_seconds;

  // The final account: accounted parameters with the final sharing, FLOPs of serving paths.
  std::set<std::string> serving_ids;
  double accounted_sum = 0.0;
  int64_t learned = 0;
  const auto forgetting = out.matrix.task_forgetting();
  const auto max_forgetting = out.matrix.task_max_forgetting();
  for (size_t j = 0; j < tasks.size(); ++j) {
    TaskResult tj = progress.tasks.size() == tasks.size() ? progress.tasks[j] : TaskResult{};
    tj.name = tasks[j].name();
    tj.classes = tasks[j].num_classes;
    if (state.paths.count(tj.name)) {
      tj.path = strategy.serving_path(state, tj.name);
      const auto handles = state.store.resolve(tj.path.ids);
      std::vector<int64_t> params;
      for (const auto& c : handles) {
        params.push_back(c->num_params());
        tj.path_params += c->num_params();
        serving_ids.insert(c->id());
      }
      tj.accounted_params = accounted_params(tj.path.ids, params, state.usage, tj.name);
      accounted_sum += tj.accounted_params;
      ++learned;
      const int64_t side =
          tj.path.hp.image_size > 0 ? tj.path.hp.image_size : tasks[j].test.height();
      tj.inference_flops =
          strategy.environment().train.family->forward_flops(pointers(handles), side);
    }
    tj.forgetting = forgetting[j];
    tj.max_forgetting = max_forgetting[j];
    out.tasks.push_back(std::move(tj));
  }
  for (const auto& id : serving_ids)
    out.total_params += state.store.get(id)->num_params();
  out.store_params = state.store.num_params();
  out.params_per_task = learned ? accounted_sum / static_cast<double>(learned) : 0.0;
  out.average_accuracy = out.matrix.average_accuracy();
  out.bwt = out.matrix.bwt();
  out.forgetting = out.matrix.forgetting();
  out.max_forgetting = out.matrix.max_forgetting();
  out.store_hash = state.store.content_hash();
  return out;
}

}  // namespace evostream::model
