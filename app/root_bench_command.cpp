#include "app/root_bench_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <stdexcept>

#include "config/scenario_parser.hpp"
#include "model/nn/model_family.hpp"
#include "model/train/evaluator.hpp"
#include "model/train/root_trainer.hpp"
#include "storage/root_source.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

int RootBenchCommand::run(std::ostream& out) const {
  const config::Scenario s = config::ScenarioParser::parse_file(scenario_);
  if (s.root.source != config::RootSpec::Source::kTrain) {
    throw std::invalid_argument(scenario_ +
                                ": root.source is not \"train\"; bench root trains a root");
  }
  streams::TaskBuilder builder(s);
  const streams::TaskData task = builder.build(*s.root.pretrain);
  const auto& a = s.root.architecture;
  out << fmt::format(
      "training root {} on {} ({} train, {} validation, {} test images): {} steps "
      "at batch {}, AdamW lr {}\n",
      a.name, task.name(), task.train.size(), task.validation.size(), task.test.size(),
      s.root.steps, s.root.batch_size, s.root.learning_rate);
  out.flush();
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  model::TrainResult result;
  std::vector<model::Component> root =
      model::RootTrainer(s.root, s.trainers.threads, s.trainers.device)
          .train(
              task, s.seed,
              [&](int64_t step, int64_t total, double acc) {
                out << fmt::format(
                    "  step {:>6}/{}  validation {:.2f}%  "
                    "{:.0f} s\n",
                    step, total, 100.0 * acc, elapsed());
                out.flush();
              },
              &result);
  const double train_wall = elapsed();
  if (!export_path_.empty()) {
    storage::RootSource::export_root(export_path_, a, root);
    out << fmt::format("root written to {}\n", export_path_);
  }
  const auto handles = model::share(std::move(root));
  const auto f = model::vit_family(a.heads)->bind(model::pointers(handles), a.image_size);
  const model::Evaluation test = model::Evaluator::evaluate(*f, task.test);
  out << fmt::format(
      "test accuracy {:.2f}% (best validation {:.2f}% after step {}); {:.0f} s of "
      "training ({:.0f} s in steps, {:.0f} images/s), {:.0f} s wall\n",
      100.0 * test.accuracy, 100.0 * result.quality, result.best_step, train_wall,
      result.train_seconds, static_cast<double>(result.images) / result.train_seconds, elapsed());
  return 0;
}

}  // namespace evostream::app
