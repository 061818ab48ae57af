#include "streams/task_builder.hpp"

#include <fmt/format.h>

#include <numeric>

#include "common/content_hash.hpp"
#include "common/data_error.hpp"
#include "streams/transforms.hpp"

namespace evostream::streams {

using config::ArchitectureSpec;
using config::DatasetSpec;
using config::Scenario;
using config::TaskSpec;

using common::ContentHash;
using common::DataError;
using common::Rng;

namespace {

// Purpose tags keep the generators of different decisions apart.
enum Purpose : uint64_t { kMaxTrain = 1, kMaxTest, kFewShot, kValidation, kPermutation };

uint64_t name_key(const std::string& name) {
  return ContentHash().update(name).digest();
}

}  // namespace

TaskBuilder::TaskBuilder(const Scenario& scenario) : scenario_(scenario) {}

TaskData TaskBuilder::build(const TaskSpec& spec) {
  const DatasetSpec* ds = scenario_.find_dataset(spec.dataset);
  if (ds == nullptr) {
    throw DataError(scenario_.file,
                    fmt::format("task \"{}\": unknown dataset \"{}\"", spec.name, spec.dataset));
  }
  TaskData t = build(spec, *registry_.get(*ds), scenario_.seed);
  check_model_input(t, scenario_.root.architecture, scenario_.file);
  return t;
}

void TaskBuilder::check_model_input(const TaskData& t, const ArchitectureSpec& a,
                                    const std::string& file) {
  const ImageSet& s = t.train;
  if (s.height() != s.width()) {
    throw DataError(file,
                    fmt::format("task \"{}\" (line {}): expected square images (the "
                                "model's patch grid is square), found {}×{} in dataset "
                                "\"{}\"; set the task's image_size to resize them",
                                t.name(), t.spec.line, s.height(), s.width(), t.spec.dataset));
  }
  if (s.height() < a.patch) {
    throw DataError(file, fmt::format("task \"{}\" (line {}): expected images of at least the "
                                      "patch side {}, found {}×{}; set the task's image_size to "
                                      "resize them",
                                      t.name(), t.spec.line, a.patch, s.height(), s.width()));
  }
}

std::vector<TaskData> TaskBuilder::build_all() {
  std::vector<TaskData> tasks;
  tasks.reserve(scenario_.tasks.size());
  for (const auto& spec : scenario_.tasks)
    tasks.push_back(scenario_.simulated() ? describe(spec) : build(spec));
  return tasks;
}

TaskData TaskBuilder::describe(const TaskSpec& spec) const {
  TaskData t;
  t.spec = spec;
  if (!spec.classes.empty()) {
    t.num_classes = static_cast<int64_t>(spec.classes.size());
  } else if (const DatasetSpec* ds = scenario_.find_dataset(spec.dataset)) {
    t.num_classes = ds->classes();
  } else {
    t.num_classes = scenario_.simulation.classes;
  }
  for (int64_t c = 0; c < t.num_classes; ++c)
    t.class_names.push_back(fmt::format("class {}", c));
  return t;
}

TaskData TaskBuilder::build(const TaskSpec& spec, const Dataset& dataset, uint64_t seed) {
  const uint64_t key = name_key(spec.name);
  auto rng = [&](Purpose p) { return Rng::derive({seed, key, p}); };

  TaskData t;
  t.spec = spec;
  ImageSet train = dataset.train;
  t.test = dataset.test;
  if (spec.classes.empty()) {
    t.num_classes = dataset.num_classes;
    t.class_names = dataset.class_names;
  } else {
    for (int64_t c : spec.classes) {
      if (c < 0 || c >= dataset.num_classes) {
        throw DataError(dataset.name, fmt::format("task \"{}\": class {} is out of range: expected "
                                                  "0..{}",
                                                  spec.name, c, dataset.num_classes - 1));
      }
      t.class_names.push_back(dataset.class_names[static_cast<size_t>(c)]);
    }
    t.num_classes = static_cast<int64_t>(spec.classes.size());
    train = Transforms::subset_classes(train, spec.classes);
    t.test = Transforms::subset_classes(t.test, spec.classes);
  }
  if (spec.max_train > 0) {
    Rng r = rng(kMaxTrain);
    train = Transforms::subsample(train, spec.max_train, r);
  }
  if (spec.max_test > 0) {
    Rng r = rng(kMaxTest);
    t.test = Transforms::subsample(t.test, spec.max_test, r);
  }
  if (spec.shots > 0) {
    Rng r = rng(kFewShot);
    train = Transforms::few_shot(train, spec.shots, t.num_classes, r);
  }
  {
    Rng r = rng(kValidation);
    auto [tr, va] = Transforms::carve_validation(train, spec.validation_fraction, t.num_classes, r);
    t.train = std::move(tr);
    t.validation = std::move(va);
  }
  if (t.train.empty() || t.validation.empty() || t.test.empty()) {
    throw DataError(dataset.name,
                    fmt::format("task \"{}\": expected non-empty splits, found train {}, "
                                "validation {}, test {} images",
                                spec.name, t.train.size(), t.validation.size(), t.test.size()));
  }

  transform_inputs(spec, {&t.train, &t.validation, &t.test});
  return t;
}

void TaskBuilder::transform_inputs(const TaskSpec& spec, const std::vector<ImageSet*>& sets) {
  if (sets.empty())
    return;
  if (spec.image_size > 0) {
    for (ImageSet* s : sets)
      *s = Transforms::resize(*s, spec.image_size);
  }
  if (spec.rotate_degrees != 0.0) {
    for (ImageSet* s : sets)
      Transforms::rotate(*s, spec.rotate_degrees);
  }
  if (spec.permute_seed) {
    // The permutation depends on permute_seed alone: the same key means the same task everywhere.
    Rng r = Rng::derive({*spec.permute_seed, kPermutation});
    const std::vector<int64_t> perm = r.permutation(sets[0]->height() * sets[0]->width());
    for (ImageSet* s : sets)
      Transforms::permute_pixels(*s, perm);
  }
  if (spec.invert) {
    for (ImageSet* s : sets)
      Transforms::invert(*s);
  }
}

}  // namespace evostream::streams
