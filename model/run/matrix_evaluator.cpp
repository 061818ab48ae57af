#include "model/run/matrix_evaluator.hpp"

#include "common/content_hash.hpp"
#include "model/train/evaluator.hpp"
#include "model/train/simulation_model.hpp"

namespace evostream::model {

MatrixEvaluator::Scored MatrixEvaluator::evaluate(const RunState& state, const Path& path,
                                                  const streams::TaskData& task,
                                                  const Strategy& strategy) {
  const auto handles = state.store.resolve(path.ids);
  if (const auto& sim = strategy.environment().simulation) {
    const SimulatedEvaluation e =
        sim->evaluate(handles, path.recipe, task, static_cast<double>(strategy.candidate_steps()));
    return {e.accuracy, e.predictions_hash};
  }
  const auto f =
      strategy.environment().train.family->bind(pointers(handles), path.recipe.image_size);
  const Evaluation e = Evaluator::evaluate(*f, task.test);
  return {e.accuracy, common::ContentHash().update(e.predictions).hex()};
}

void MatrixEvaluator::prepare(size_t tasks) {
  if (current_.size() < tasks)
    current_.resize(tasks);
}

void MatrixEvaluator::restore(const RunProgress& progress) {
  current_.assign(progress.tasks.size(), std::nullopt);
  current_sum_ = 0.0;
  current_count_ = 0;
  for (const auto& row : progress.rows) {
    for (const auto& e : row)
      current_.at(static_cast<size_t>(e.task)) = e.accuracy;
  }
  for (const auto& v : current_) {
    if (v) {
      current_sum_ += *v;
      ++current_count_;
    }
  }
}

void MatrixEvaluator::measure(const RunState& state, const Strategy& strategy,
                              const std::vector<streams::TaskData>& tasks, size_t j, size_t learned,
                              RunProgress& progress, ProgressStep& step) {
  const std::string& name = tasks[j].name();
  const Scored s = evaluate(state, strategy.serving_path(state, name), tasks[j], strategy);
  TaskResult& tj = progress.tasks[j];
  if (j == learned) {
    progress.committed_hash[name] = s.predictions_hash;
    tj.accuracy_after_learning = s.accuracy;
  } else if (s.predictions_hash != progress.committed_hash[name]) {
    tj.predictions_identical = false;
  }
  tj.predictions_hash = s.predictions_hash;
  tj.test_accuracy = s.accuracy;
  step.entries.push_back({static_cast<int64_t>(j), s.accuracy});
  step.entry_hashes.push_back(s.predictions_hash);
  if (current_[j])
    current_sum_ -= *current_[j];
  else
    ++current_count_;
  current_[j] = s.accuracy;
  current_sum_ += s.accuracy;
}

double MatrixEvaluator::average() const {
  return current_count_ ? current_sum_ / static_cast<double>(current_count_) : 0.0;
}

}  // namespace evostream::model
