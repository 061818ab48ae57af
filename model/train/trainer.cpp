#include "model/train/trainer.hpp"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "common/rng.hpp"
#include "model/core/blas_check.hpp"
#include "model/train/device_check.hpp"
#include "model/train/evaluator.hpp"
#include "model/train/task_of_label.hpp"
#include "streams/augmenter.hpp"
#include "streams/batch_sampler.hpp"

namespace evostream::model {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The output of the frozen prefix for the first `limit` images of `set` (all when 0), computed
// without autograd in chunks of fixed size so the bytes never depend on who asked first.
at::Tensor prefix_output(const ModelFunction& f, const streams::ImageSet& set, int64_t limit,
                         const c10::Device& device) {
  constexpr int64_t kChunk = 500;
  at::NoGradGuard no_grad;
  const int64_t n = limit > 0 ? std::min(limit, set.size()) : set.size();
  at::Tensor images = at::empty({kChunk, set.channels(), set.height(), set.width()}, at::kFloat);
  at::Tensor out;
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t b = std::min(kChunk, n - start);
    streams::BatchSampler::to_float(set, start, b, images.data_ptr<float>());
    const at::Tensor part = f.prefix(images.narrow(0, 0, b).to(device));
    if (!out.defined()) {
      std::vector<int64_t> shape(part.sizes().begin(), part.sizes().end());
      shape[0] = n;
      out = at::empty(shape, part.options());
    }
    out.narrow(0, start, b).copy_(part);
  }
  return out;
}

// The cache key of a prefix: task, split, image size and what the prefix is made of.
std::string prefix_key(const streams::TaskData& task, const char* split, const ModelFunction& f,
                       int64_t image_size) {
  return fmt::format("{}|{}|{}×{}|{}", task.name(), split, task.train.size(),
                     task.validation.size(), image_size) +
         f.prefix_key(image_size);
}

}  // namespace

Trainer::Trainer(TrainSettings settings, std::shared_ptr<PrefixCache> cache)
    : settings_(settings), cache_(std::move(cache)) {
  if (settings_.steps < 1 || settings_.batch_size < 1 || settings_.validation_interval < 1) {
    throw std::invalid_argument(
        "TrainSettings: steps, batch_size, validation_interval must be >= 1");
  }
}

double Trainer::estimated_flops(const std::vector<const Component*>& path,
                                const TrainRecipe& recipe, const streams::TaskData& task,
                                int64_t steps) const {
  const auto f = settings_.family->bind(path, recipe.image_size);
  const int64_t side = recipe.image_size > 0 ? recipe.image_size : task.train.height();
  const double before = f->prefix_flops(side);
  const double after = f->rest_flops(side);
  const bool cached = cache_ != nullptr && f->has_frozen_prefix() && recipe.deterministic_input();
  const int64_t n = steps > 0 ? steps : settings_.steps;
  const int64_t validations =
      (n + settings_.validation_interval - 1) / settings_.validation_interval;
  const int64_t images = std::min(settings_.max_validation, task.validation.size());
  const double per_step =
      static_cast<double>(settings_.batch_size) * (3.0 * after + (cached ? 0.0 : before));
  const double per_validation = static_cast<double>(images) * (after + (cached ? 0.0 : before));
  return static_cast<double>(n) * per_step + static_cast<double>(validations) * per_validation;
}

void use_threads(int64_t threads) {
  // Once per thread and count: a trainer thread sets its counts with its first job.
  thread_local int64_t set_here = 0;
  if (set_here == threads)
    return;
  at::set_num_threads(static_cast<int>(threads));
  BlasCheck::set_threads(static_cast<int>(threads));
  set_here = threads;
}

TrainResult Trainer::train(const std::vector<std::shared_ptr<const Component>>& path,
                           const TrainRecipe& recipe, const streams::TaskData& task, uint64_t seed,
                           const TrainProgress& progress, const Objective* objective) const {
  const auto t_start = Clock::now();
  const CrossEntropy cross_entropy;
  const Objective& minimised = objective ? *objective : cross_entropy;
  use_threads(settings_.threads);

  const c10::Device device(settings_.device);
  const bool on_cpu = device.is_cpu();
  check_device(settings_.device, "device");

  // Deep copies of the unfrozen components become the trainable working set; off the CPU the
  // frozen ones are copied to the device too (read only, like the originals).
  std::vector<Component> working;
  std::vector<size_t> working_at;  // position in the path of each working component
  std::vector<Component> on_device;
  on_device.reserve(path.size());
  std::vector<const Component*> components;
  for (size_t i = 0; i < path.size(); ++i) {
    components.push_back(path[i].get());
    if (!path[i]->frozen()) {
      working.push_back(on_cpu ? path[i]->copy() : path[i]->to(settings_.device));
      working_at.push_back(i);
    } else if (!on_cpu) {
      on_device.push_back(path[i]->to(settings_.device));
      components[i] = &on_device.back();
    }
  }
  if (working.empty())
    throw std::invalid_argument("candidate path has no trainable component");
  // Floating-point tensors train; integer ones (seeds, counts, packed bits) are carried as they
  // are. param_of[w][t] is the optimizer's index of tensor t of working component w, or -1.
  std::vector<at::Tensor> params;
  std::vector<std::vector<int64_t>> param_of(working.size());
  for (size_t w = 0; w < working.size(); ++w) {
    for (const auto& t : working[w].tensors()) {
      if (!t.is_floating_point()) {
        param_of[w].push_back(-1);
        continue;
      }
      t.requires_grad_(true);
      param_of[w].push_back(static_cast<int64_t>(params.size()));
      params.push_back(t);
    }
    components[working_at[w]] = &working[w];
  }
  const auto bound = settings_.family->bind(components, recipe.image_size);
  const ModelFunction& f = *bound;
  if (f.classes() != task.num_classes) {
    throw std::invalid_argument(fmt::format("head {} has {} outputs but task {} has {} classes",
                                            f.head_id(), f.classes(), task.name(),
                                            task.num_classes));
  }
  // On the union of several tasks, each example's task follows from its label.
  const at::Tensor label_task = task_of_label(task.class_offsets);
  const int64_t data_tasks = static_cast<int64_t>(task.class_offsets.size()) - 1;
  if (f.tasks() > 1 && data_tasks != f.tasks()) {
    throw std::invalid_argument(fmt::format(
        "a joint model of {} tasks (head {}) trains on the union of as many tasks; {} holds {}",
        f.tasks(), f.head_id(), task.name(), std::max<int64_t>(data_tasks, 1)));
  }

  OptimizerOptions opt = settings_.optimizer;
  if (opt.kind == OptimizerOptions::Kind::kSgd) {
    opt.momentum = recipe.momentum;
    opt.nesterov = recipe.nesterov;
  }
  Optimizer optimizer(params, opt);
  // A clone continues from its parent's momentum, as in µ2Net; only SGD with momentum keeps one.
  const bool keeps_momentum = opt.kind == OptimizerOptions::Kind::kSgd && opt.momentum > 0;
  if (keeps_momentum) {
    for (size_t w = 0; w < working.size(); ++w) {
      for (size_t t = 0; t < working[w].momentum().size(); ++t) {
        if (param_of[w][t] >= 0)
          optimizer.set_momentum(static_cast<size_t>(param_of[w][t]), working[w].momentum()[t]);
      }
    }
  }
  // AdamW with its state carried continues from the moments and steps each component carries.
  const bool carries_adam = opt.kind == OptimizerOptions::Kind::kAdamW && opt.carry_state;
  if (carries_adam) {
    for (size_t w = 0; w < working.size(); ++w) {
      const Component& c = working[w];
      for (size_t t = 0; t < c.second_moment().size(); ++t) {
        if (param_of[w][t] >= 0) {
          optimizer.set_adam_state(static_cast<size_t>(param_of[w][t]), c.momentum()[t],
                                   c.second_moment()[t], c.optimizer_steps());
        }
      }
    }
  }
  // A live optimizer tensor as the CPU copy a component keeps.
  auto kept = [&](const at::Tensor& live) {
    return on_cpu ? live.detach().clone() : live.detach().to(at::kCPU);
  };
  // What a trained component is at this point: its tensors, and its momentum when kept.
  auto snapshot = [&](const Component& w, const std::vector<int64_t>& params_of_w) {
    // The inherited trace is replaced below: leave it out of the copy.
    const Component bare = w.with_momentum({});
    Component out = on_cpu ? bare.copy() : bare.to("cpu");
    if (carries_adam) {
      std::vector<at::Tensor> first;
      std::vector<at::Tensor> second;
      int64_t steps = 0;
      for (size_t t = 0; t < w.tensors().size(); ++t) {
        const int64_t p = params_of_w[t];
        if (p < 0) {  // an integer tensor: no moments
          first.push_back(at::zeros(w.tensors()[t].sizes(), at::kFloat));
          second.push_back(at::zeros(w.tensors()[t].sizes(), at::kFloat));
          continue;
        }
        first.push_back(kept(optimizer.momentum(static_cast<size_t>(p))));
        second.push_back(kept(optimizer.second_moment(static_cast<size_t>(p))));
        steps = std::max(steps, optimizer.steps(static_cast<size_t>(p)));
      }
      return steps > 0 ? out.with_adam_state(std::move(first), std::move(second), steps) : out;
    }
    std::vector<at::Tensor> traces;
    if (keeps_momentum) {
      for (size_t t = 0; t < w.tensors().size(); ++t) {
        const int64_t p = params_of_w[t];
        if (p < 0) {
          traces.push_back(
              at::zeros(w.tensors()[t].sizes(), w.tensors()[t].options().device(at::kCPU)));
          continue;
        }
        traces.push_back(kept(optimizer.momentum(static_cast<size_t>(p))));
      }
    }
    return out.with_momentum(std::move(traces));
  };

  // With a deterministic input, the frozen prefix's output comes from the cache.
  const int64_t image_size = recipe.image_size > 0 ? recipe.image_size : task.train.height();
  at::Tensor train_tokens;
  at::Tensor validation_tokens;
  if (cache_ && f.has_frozen_prefix() && recipe.deterministic_input()) {
    train_tokens = cache_->get(prefix_key(task, "train", f, image_size),
                               f.prefix_bytes(image_size, task.train.size()),
                               [&] { return prefix_output(f, task.train, 0, device); });
    const int64_t nval = std::min(settings_.max_validation, task.validation.size());
    validation_tokens =
        cache_->get(prefix_key(task, "validation", f, image_size), f.prefix_bytes(image_size, nval),
                    [&] { return prefix_output(f, task.validation, nval, device); });
  }
  const bool cached = train_tokens.defined();

  const streams::ImageSet& train = task.train;
  const int64_t b = settings_.batch_size;
  streams::BatchSampler sampler(train, b, common::Rng::derive({seed, 1}).next_u64());
  streams::Augmenter augmenter(
      {recipe.crop_area_min, recipe.flip, recipe.brightness, recipe.contrast}, train.channels(),
      train.height(), train.width(), common::Rng::derive({seed, 2}).next_u64());
  at::Tensor images = at::empty({b, train.channels(), train.height(), train.width()}, at::kFloat);
  at::Tensor labels = at::empty({b}, at::kLong);
  at::Tensor index = at::empty({b}, at::kLong);

  TrainResult result;
  result.quality = -1.0;
  double loss_sum = 0.0;  // since the previous validation
  int64_t loss_count = 0;
  // The loss and the objective's terms over the current stretch (`TrainingCurve::losses`).
  const int64_t stretch = std::max<int64_t>(
      1, (settings_.steps + TrainingCurve::kLossPoints - 1) / TrainingCurve::kLossPoints);
  LossPoint logged;
  int64_t logged_steps = 0;
  LossTerms step_terms;
  auto validate = [&](int64_t step) {
    const auto t0 = Clock::now();
    const Evaluation e =
        validation_tokens.defined()
            ? Evaluator::evaluate_prefix(f, validation_tokens, task.validation,
                                         settings_.eval_batch, settings_.max_validation, label_task)
            : Evaluator::evaluate(f, task.validation, settings_.eval_batch,
                                  settings_.max_validation, label_task);
    result.validation_seconds += since(t0);
    result.validations.push_back({step, e.accuracy, loss_count ? loss_sum / loss_count : 0.0});
    loss_sum = 0.0;
    loss_count = 0;
    if (e.accuracy > result.quality) {
      result.quality = e.accuracy;
      result.best_step = step;
      result.trained.clear();
      for (size_t w = 0; w < working.size(); ++w)
        result.trained.push_back(snapshot(working[w], param_of[w]));
    }
    if (progress)
      progress(step, settings_.steps, e.accuracy);
  };

  const FeaturesOf features_of = [&](const at::Tensor& other) { return f.features(other); };
  for (int64_t step = 0; step < settings_.steps; ++step) {
    const auto t0 = Clock::now();
    at::Tensor tokens;  // what the trained rest of the path starts from
    at::Tensor x;       // the step's images on the device; undefined when the prefix is cached
    if (cached) {
      const std::vector<int64_t>& idx = sampler.next_indices();
      int64_t* lab = labels.data_ptr<int64_t>();
      for (int64_t i = 0; i < b; ++i)
        lab[i] = train.label(idx[static_cast<size_t>(i)]);
      std::copy(idx.begin(), idx.end(), index.data_ptr<int64_t>());
      tokens = at::index_select(train_tokens, 0, on_cpu ? index : index.to(device));
    } else {
      sampler.next(images.data_ptr<float>(), labels.data_ptr<int64_t>());
      augmenter.apply(images.data_ptr<float>(), b);
      x = on_cpu ? images : images.to(device);
      if (f.has_frozen_prefix()) {
        at::NoGradGuard no_grad;
        tokens = f.prefix(x);
      } else {
        tokens = x;
      }
    }
    const at::Tensor step_labels = on_cpu ? labels : labels.to(device);
    const at::Tensor features =
        label_task.defined() ? f.task_features_after_prefix(
                                   tokens, label_task.to(device).index_select(0, step_labels))
                             : f.features_after_prefix(tokens);
    const at::Tensor logits = f.head(features);
    step_terms.clear();
    at::Tensor loss = minimised.loss(
        {logits, step_labels, working, features, x, step, features_of, &f, &step_terms});
    optimizer.zero_grad();
    loss.backward();
    optimizer.step(scheduled_learning_rate(
        recipe.schedule, recipe.learning_rate, recipe.warmup_ratio,
        settings_.schedule_offset + step,
        settings_.schedule_steps > 0 ? settings_.schedule_steps : settings_.steps,
        settings_.validation_interval));
    const double value = loss.item<double>();
    loss_sum += value;
    ++loss_count;
    logged.loss += value;
    for (const auto& [name, term] : step_terms)
      logged.terms[name] += term;
    if (++logged_steps == stretch || step + 1 == settings_.steps) {
      logged.step = step + 1;
      logged.loss /= static_cast<double>(logged_steps);
      for (auto& [name, sum] : logged.terms)
        sum /= static_cast<double>(logged_steps);
      result.losses.push_back(std::move(logged));
      logged = LossPoint{};
      logged_steps = 0;
    }
    result.train_seconds += since(t0);
    result.images += b;
    if ((step + 1) % settings_.validation_interval == 0 || step + 1 == settings_.steps) {
      validate(step + 1);
    }
  }
  result.seconds = since(t_start);
  return result;
}

}  // namespace evostream::model
