#include "app/tasks_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>

#include "config/scenario_parser.hpp"
#include "model/strategies/strategy_registry.hpp"
#include "model/train/device_check.hpp"
#include "streams/task_builder.hpp"

namespace evostream::app {

namespace {

using config::TaskSpec;
using streams::TaskData;

std::string transforms_of(const TaskSpec& s) {
  std::vector<std::string> parts;
  if (s.max_train > 0)
    parts.push_back(fmt::format("max {} train", s.max_train));
  if (s.max_test > 0)
    parts.push_back(fmt::format("max {} test", s.max_test));
  if (s.shots > 0)
    parts.push_back(fmt::format("{}-shot", s.shots));
  if (s.image_size > 0)
    parts.push_back(fmt::format("resized {}", s.image_size));
  if (s.rotate_degrees != 0.0)
    parts.push_back(fmt::format("rotated {}°", s.rotate_degrees));
  if (s.permute_seed)
    parts.push_back(fmt::format("permuted (seed {})", *s.permute_seed));
  if (s.invert)
    parts.push_back("inverted");
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "-" : out;
}

std::string classes_of(const TaskData& t) {
  std::string out = fmt::format("{}:", t.num_classes);
  for (size_t k = 0; k < t.class_names.size(); ++k) {
    out += (k == 0 ? " " : ", ") + t.class_names[k];
  }
  return out;
}

void print_task(std::ostream& out, const std::string& index, const TaskData& t, bool hash) {
  out << fmt::format("{:>4}  {:<22} {:<14} {:>2}×{:<3} {:>6} {:>6} {:>6}  {}\n", index, t.name(),
                     t.spec.dataset, t.train.height(), t.train.width(), t.train.size(),
                     t.validation.size(), t.test.size(), transforms_of(t.spec));
  out << fmt::format("{:>6}classes {}\n", "", classes_of(t));
  if (hash)
    out << fmt::format("{:>6}hash {}\n", "", t.content_hash());
}

}  // namespace

int TasksCommand::run(std::ostream& out) const {
  const auto t0 = std::chrono::steady_clock::now();
  const config::Scenario s = config::ScenarioParser::parse_file(options_.scenario, options_.sets);
  model::check_device(s.trainers.device, s.file + ": trainers.device");
  streams::TaskBuilder builder(s);

  const auto options = model::read_strategy_options(s);
  std::string values;
  for (const auto& [key, value] : options->values())
    values += fmt::format("{}{} {}", values.empty() ? " (" : ", ", key, value);
  out << fmt::format("scenario {} ({}), seed {}, strategy {}{}{}, {} steps per task visit\n",
                     s.name, s.file, s.seed, s.strategy.name, values, values.empty() ? "" : ")",
                     s.strategy.task_steps);
  if (!s.description.empty())
    out << "  " << s.description << "\n";
  const auto& a = s.root.architecture;
  if (a.family == "masked-fc") {
    out << fmt::format(
        "root {}: {}×{}×{} input, random layers {}-{}-{} (frozen, from the run "
        "seed)\n",
        a.name, a.image_size, a.image_size, a.channels, a.image_size * a.image_size * a.channels,
        fmt::join(a.hidden, "-"), a.classes);
  } else {
    out << fmt::format("root {}: {}×{}×{} input, patch {}, dim {}, depth {}, heads {}, mlp {}",
                       a.name, a.image_size, a.image_size, a.channels, a.patch, a.dim, a.depth,
                       a.heads, a.mlp);
    if (a.family == "masked-vit") {
      out << fmt::format(
          "; random linear layers, no biases, head of {} (frozen, from the run "
          "seed)",
          a.classes);
    }
    if (a.family == "moe-vit") {
      std::vector<int64_t> moe;
      for (int64_t k = a.moe_every - 1; k < a.depth; k += a.moe_every)
        moe.push_back(k);
      out << fmt::format("; MoE blocks {}: {} experts of width {}, top {}", fmt::join(moe, ", "),
                         a.experts, a.mlp / a.top_k, a.top_k);
      if (a.attention_experts > 0) {
        out << fmt::format("; attention mixtures in the others: {} experts of width {}, top {}",
                           a.attention_experts, a.dim / a.heads, a.heads);
      }
    }
    out << "\n";
  }
  out << fmt::format("{:>4}  {:<22} {:<14} {:>6} {:>6} {:>6} {:>6}  {}\n", "#", "task", "dataset",
                     "size", "train", "valid", "test", "transforms");
  if (s.root.source == config::RootSpec::Source::kTrain) {
    print_task(out, "root", builder.build(*s.root.pretrain), options_.hash);
  } else if (s.root.source == config::RootSpec::Source::kInit) {
    out << fmt::format("{:>4}  initialised from the run seed (untrained)\n", "root");
  } else {
    out << fmt::format("{:>4}  imported from {}\n", "root", s.root.file);
  }
  if (s.simulated()) {
    out << fmt::format(
        "simulated trainers: tasks have no images (cost and quality model of "
        "[simulation], {:.3g} FLOP/s)\n",
        s.simulation.flops_per_second);
  }
  for (size_t i = 0; i < s.tasks.size(); ++i) {
    print_task(out, std::to_string(i + 1),
               s.simulated() ? builder.describe(s.tasks[i]) : builder.build(s.tasks[i]),
               options_.hash);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << fmt::format("{} tasks in the stream, built in {:.1f} s\n", s.tasks.size(), secs);
  return 0;
}

}  // namespace evostream::app
