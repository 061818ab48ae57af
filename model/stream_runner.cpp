#include "model/stream_runner.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <set>

#include "model/evaluator.hpp"
#include "model/flop_count.hpp"
#include "model/vit_function.hpp"
#include "streams/content_hash.hpp"

namespace evostream::model {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Scored {
  double accuracy = 0.0;
  std::string predictions_hash;
};

Scored evaluate(const RunState& state, const Path& path, const streams::TaskData& task,
                int64_t heads) {
  const auto handles = state.store.resolve(path.ids);
  const VitFunction f(VitLayout::of(pointers(handles)), heads, path.hp.image_size);
  const Evaluation e = Evaluator::evaluate(f, task.test);
  return {e.accuracy, streams::ContentHash().update(e.predictions).hex()};
}

}  // namespace

StreamRunner::StreamRunner(const streams::Scenario& scenario, Strategy& strategy,
                           std::vector<Component> root, RunObserver observer)
    : scenario_(scenario), strategy_(strategy), observer_(std::move(observer)) {
  state_.root.name = "root";
  state_.root.task = "root";
  for (const auto& c : root) {
    state_.root.ids.push_back(c.id());
    if (c.kind() != ComponentKind::kHead)
      state_.root_params += static_cast<double>(c.num_params());
  }
  state_.store.commit("root", std::move(root));
}

RunResults StreamRunner::run(const std::vector<streams::TaskData>& tasks) {
  const auto t_start = Clock::now();
  RunResults out;
  out.scenario = scenario_.name;
  out.strategy = strategy_.name();
  out.seed = scenario_.seed;
  out.root_params = state_.root_params;
  std::vector<std::string> names;
  for (const auto& t : tasks)
    names.push_back(t.name());
  out.matrix = AccuracyMatrix(names);
  out.tasks.resize(tasks.size());
  std::map<std::string, std::string> committed_hash;  // task -> test predictions at commit
  std::vector<bool> learned(tasks.size(), false);
  const int64_t heads = scenario_.root.architecture.heads;

  for (int64_t iteration = 0; iteration < scenario_.strategy.iterations; ++iteration) {
    for (size_t index = 0; index < tasks.size(); ++index) {
      const streams::TaskData& task = tasks[index];
      TaskResult& result = out.tasks[index];
      if (observer_.task_started)
        observer_.task_started(static_cast<int64_t>(index), iteration, task);
      TaskContext ctx{task, static_cast<int64_t>(index), iteration, scenario_.seed, {}};
      ctx.on_candidate = [&](const CandidateRecord& r) {
        if (observer_.candidate_done)
          observer_.candidate_done(task.name(), r);
      };
      TaskOutcome outcome = strategy_.learn(state_, ctx);

      for (const auto& c : outcome.added)
        result.params_added += c.num_params();
      state_.store.commit(task.name(), std::move(outcome.added));
      state_.store.verify();
      state_.paths[task.name()] = outcome.path;
      state_.last_task = task.name();
      learned[index] = true;
      for (size_t j = 0; j < tasks.size(); ++j) {
        if (learned[j])
          state_.usage.set_path(tasks[j].name(),
                                strategy_.serving_path(state_, tasks[j].name()).ids);
      }
      result.name = task.name();
      result.classes = task.num_classes;
      result.validation_accuracy = outcome.path.quality;
      result.score = outcome.path.score;
      result.train_seconds += outcome.train_seconds;
      result.candidates += static_cast<int64_t>(outcome.candidates.size());
      out.train_seconds += outcome.train_seconds;

      // One row of the matrix: every task learned so far, evaluated on its test split.
      const auto t_eval = Clock::now();
      std::vector<std::optional<double>> row(tasks.size());
      for (size_t j = 0; j < tasks.size(); ++j) {
        if (!learned[j])
          continue;
        const Path serving = strategy_.serving_path(state_, tasks[j].name());
        const Scored s = evaluate(state_, serving, tasks[j], heads);
        row[j] = s.accuracy;
        TaskResult& tj = out.tasks[j];
        if (j == index) {
          committed_hash[tasks[j].name()] = s.predictions_hash;
          tj.accuracy_after_learning = s.accuracy;
        } else if (s.predictions_hash != committed_hash[tasks[j].name()]) {
          tj.predictions_identical = false;
        }
        tj.predictions_hash = s.predictions_hash;
        tj.test_accuracy = s.accuracy;
      }
      out.evaluation_seconds += since(t_eval);
      out.matrix.add_row(static_cast<int64_t>(index), row);
      if (observer_.task_committed)
        observer_.task_committed(task.name(), row, out.matrix.average_accuracy());
    }
  }

  // The final account: accounted parameters with the final sharing, FLOPs of serving paths.
  std::set<std::string> serving_ids;
  double accounted_sum = 0.0;
  const auto forgetting = out.matrix.task_forgetting();
  const auto max_forgetting = out.matrix.task_max_forgetting();
  for (size_t j = 0; j < tasks.size(); ++j) {
    TaskResult& tj = out.tasks[j];
    tj.path = strategy_.serving_path(state_, tj.name);
    const auto handles = state_.store.resolve(tj.path.ids);
    std::vector<int64_t> params;
    for (const auto& c : handles) {
      params.push_back(c->num_params());
      tj.path_params += c->num_params();
      serving_ids.insert(c->id());
    }
    tj.accounted_params = accounted_params(tj.path.ids, params, state_.usage, tj.name);
    accounted_sum += tj.accounted_params;
    const int64_t side = tj.path.hp.image_size > 0 ? tj.path.hp.image_size : tasks[j].test.height();
    tj.inference_flops = FlopCount::forward(VitLayout::of(pointers(handles)), side);
    tj.forgetting = forgetting[j];
    tj.max_forgetting = max_forgetting[j];
  }
  for (const auto& id : serving_ids)
    out.total_params += state_.store.get(id)->num_params();
  out.store_params = state_.store.num_params();
  out.params_per_task = tasks.empty() ? 0.0 : accounted_sum / static_cast<double>(tasks.size());
  out.average_accuracy = out.matrix.average_accuracy();
  out.bwt = out.matrix.bwt();
  out.forgetting = out.matrix.forgetting();
  out.max_forgetting = out.matrix.max_forgetting();
  out.store_hash = state_.store.content_hash();
  out.wall_seconds = since(t_start);
  return out;
}

}  // namespace evostream::model
