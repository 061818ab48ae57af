#include "model/run/results_builder.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "model/core/component_usage.hpp"
#include "model/nn/masked/coefficient_fit.hpp"
#include "model/nn/masked/task_inference.hpp"
#include "streams/batch_sampler.hpp"

namespace evostream::model {

namespace {

// ImpressLearn without labels (a hypothesis): each learned task's test batches predicted with
// coefficients over the impressions fitted to the batch; no task is chosen.
void fit_coefficients(const config::EvaluationSpec& spec,
                      const std::vector<streams::TaskData>& tasks,
                      const std::vector<size_t>& learned,
                      const std::vector<std::vector<const Component*>>& paths, RunResults& out) {
  const auto with_coefficients = std::find_if(paths.begin(), paths.end(), [](const auto& p) {
    return std::any_of(p.begin(), p.end(),
                       [](const Component* c) { return c->kind() == ComponentKind::kAlpha; });
  });
  if (with_coefficients == paths.end())
    return;  // no task learned coefficients yet: nothing to fit
  const CoefficientFit fit(*with_coefficients);
  double sum = 0.0;
  for (const size_t j : learned) {
    const streams::ImageSet& test = tasks[j].test;
    const int64_t b = spec.inference_batch;
    at::Tensor images = at::empty({b, test.channels(), test.height(), test.width()}, at::kFloat);
    int64_t correct = 0;
    for (int64_t start = 0; start < test.size(); start += b) {
      const int64_t n = std::min(b, test.size() - start);
      streams::BatchSampler::to_float(test, start, n, images.data_ptr<float>());
      const at::Tensor predicted =
          fit.logits(images.narrow(0, 0, n), spec.fit_steps, spec.fit_learning_rate)
              .argmax(1)
              .contiguous();
      const int64_t* p = predicted.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i)
        correct += p[i] == test.label(start + i);
    }
    TaskResult& t = out.tasks[j];
    t.inferred_accuracy =
        test.size() > 0 ? static_cast<double>(correct) / static_cast<double>(test.size()) : 0.0;
    sum += *t.inferred_accuracy;
  }
  out.inferred_average_accuracy = sum / static_cast<double>(learned.size());
}

// Each learned task's test set in batches whose task is inferred among the learned tasks, then
// predicted by the inferred task's path.
void infer_tasks(const config::EvaluationSpec& spec, const Strategy& strategy,
                 const RunState& state, const std::vector<streams::TaskData>& tasks,
                 RunResults& out) {
  std::vector<size_t> learned;
  std::vector<std::vector<std::shared_ptr<const Component>>> handles;
  std::vector<std::vector<const Component*>> paths;
  for (size_t j = 0; j < tasks.size(); ++j) {
    if (state.paths.count(tasks[j].name()) == 0)
      continue;
    learned.push_back(j);
    handles.push_back(state.store.resolve(strategy.serving_path(state, tasks[j].name()).ids));
    paths.push_back(pointers(handles.back()));
  }
  if (learned.empty())
    return;
  if (spec.inference == "fit") {
    fit_coefficients(spec, tasks, learned, paths, out);
    return;
  }
  const TaskInference inference(paths);
  const TaskInference::Method method = TaskInference::method_named(spec.inference);
  double inferred_sum = 0.0;
  double accuracy_sum = 0.0;
  for (size_t k = 0; k < learned.size(); ++k) {
    const streams::ImageSet& test = tasks[learned[k]].test;
    const int64_t b = spec.inference_batch;
    at::Tensor images = at::empty({b, test.channels(), test.height(), test.width()}, at::kFloat);
    int64_t batches = 0;
    int64_t right_task = 0;
    int64_t correct = 0;
    for (int64_t start = 0; start < test.size(); start += b, ++batches) {
      const int64_t n = std::min(b, test.size() - start);
      streams::BatchSampler::to_float(test, start, n, images.data_ptr<float>());
      const at::Tensor x = images.narrow(0, 0, n);
      const int64_t task = inference.infer(x, method);
      right_task += task == static_cast<int64_t>(k);
      const at::Tensor predicted = inference.logits(task, x).argmax(1).contiguous();
      const int64_t* p = predicted.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i)
        correct += p[i] == test.label(start + i);
    }
    TaskResult& t = out.tasks[learned[k]];
    t.task_inference_accuracy =
        batches > 0 ? static_cast<double>(right_task) / static_cast<double>(batches) : 0.0;
    t.inferred_accuracy =
        test.size() > 0 ? static_cast<double>(correct) / static_cast<double>(test.size()) : 0.0;
    inferred_sum += *t.task_inference_accuracy;
    accuracy_sum += *t.inferred_accuracy;
  }
  out.task_inference_accuracy = inferred_sum / static_cast<double>(learned.size());
  out.inferred_average_accuracy = accuracy_sum / static_cast<double>(learned.size());
}

}  // namespace

RunResults build_results(const config::Scenario& scenario, const Strategy& strategy,
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
  out.offline = strategy.offline();
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
  // Expert usage a task kept (on no path), by the router it was measured through.
  std::map<std::string, ParameterStore::Handle> usage_of;
  for (const auto& c : state.store.components()) {
    if (c->kind() == ComponentKind::kExpertUsage)
      usage_of[c->parent()] = c;
  }
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
      auto row = [](const at::Tensor& t) {
        const at::Tensor a = t.to(at::kCPU).to(at::kDouble).contiguous();
        return std::vector<double>(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
      };
      for (size_t i = 0; i < handles.size(); ++i) {
        const auto& c = handles[i];
        if (c->kind() == ComponentKind::kAlpha)
          tj.coefficients.push_back(row(c->tensor("alpha")));
        if (c->kind() != ComponentKind::kRouter)
          continue;
        if (const auto usage = usage_of.find(c->id()); usage != usage_of.end()) {
          tj.expert_usage.push_back(row(usage->second->tensor("selected")));
          // A router follows its block's expert groups.
          const bool attention =
              i > 0 && handles[i - 1]->kind() == ComponentKind::kAttentionExperts;
          tj.expert_layers.push_back(attention ? "attention" : "mlp");
        }
      }
      accounted_sum += tj.accounted_params;
      ++learned;
      const int64_t side =
          tj.path.recipe.image_size > 0 ? tj.path.recipe.image_size : tasks[j].test.height();
      const ModelFamily& family = *strategy.environment().train.family;
      tj.inference_flops = family.forward_flops(pointers(handles), side);
      tj.active_params = family.active_params(pointers(handles));
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
  if (!scenario.evaluation.task_labels && !out.simulated)
    infer_tasks(scenario.evaluation, strategy, state, tasks, out);
  return out;
}

}  // namespace evostream::model
