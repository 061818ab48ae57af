#include "model/train/simulation_model.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <cstring>

#include "common/content_hash.hpp"
#include "common/rng.hpp"
#include "model/nn/vit/flop_count.hpp"
#include "model/nn/vit/vit_layout.hpp"

namespace evostream::model {

namespace {

// Purpose tags keep the generators of different draws apart.
enum Purpose : uint64_t { kCentre = 101, kTask, kValidation, kTest, kWeights };

uint64_t name_key(const std::string& name) {
  return common::ContentHash().update(name).digest();
}

// The task that owns the component `id` (ids are `OWNER/NAME`); empty for an empty id.
std::string owner_of(const std::string& id) {
  const size_t slash = id.rfind('/');
  return slash == std::string::npos ? id : id.substr(0, slash);
}

bool embedding_group(ComponentKind k) {
  return k == ComponentKind::kPatchEmbedding || k == ComponentKind::kClassToken ||
         k == ComponentKind::kPositionEmbedding || k == ComponentKind::kFinalNorm;
}

int64_t side_of(const TrainRecipe& recipe, int64_t image_size) {
  return recipe.image_size > 0 ? recipe.image_size : image_size;
}

}  // namespace

SimulationModel::SimulationModel(const config::Scenario& scenario)
    : spec_(scenario.simulation),
      seed_(scenario.seed),
      depth_(scenario.root.architecture.depth),
      image_size_(scenario.root.architecture.image_size) {
  for (const auto& t : scenario.tasks) {
    family_[t.name] =
        t.family >= 0
            ? t.family % spec_.families
            : static_cast<int64_t>(name_key(t.dataset) % static_cast<uint64_t>(spec_.families));
  }
  centres_.resize(static_cast<size_t>(spec_.families));
  for (size_t f = 0; f < centres_.size(); ++f) {
    common::Rng rng = common::Rng::derive({seed_, kCentre, f});
    double norm = 0.0;
    for (double& v : centres_[f]) {
      v = rng.normal();
      norm += v * v;
    }
    for (double& v : centres_[f])
      v /= std::sqrt(norm);
  }
}

SimulationModel::Profile SimulationModel::profile(const std::string& task) const {
  const uint64_t key = name_key(task);
  const auto f = family_.find(task);
  const size_t family = static_cast<size_t>(
      f != family_.end() ? f->second : static_cast<int64_t>(key % centres_.size()));
  common::Rng rng = common::Rng::derive({seed_, kTask, key});
  Profile p;
  double norm = 0.0;
  for (size_t d = 0; d < kDims; ++d) {
    p.z[d] = centres_[family][d] + spec_.spread * rng.normal() / std::sqrt(double(kDims));
    norm += p.z[d] * p.z[d];
  }
  for (double& v : p.z)
    v /= std::sqrt(norm);
  p.ceiling = 0.80 + 0.18 * rng.uniform01();
  p.learning_rate = std::pow(10.0, -2.5 + 1.5 * rng.uniform01());
  return p;
}

double SimulationModel::relatedness(const std::string& a, const std::string& b) const {
  if (a.empty() || b.empty())
    return 0.0;
  if (a == b)
    return 1.0;
  if (a == "root" || b == "root")
    return spec_.root_relatedness;
  const Profile pa = profile(a);
  const Profile pb = profile(b);
  double dot = 0.0;
  for (size_t d = 0; d < kDims; ++d)
    dot += pa.z[d] * pb.z[d];
  return std::max(0.0, std::min(1.0, dot));
}

double SimulationModel::accuracy(const std::vector<const Component*>& path,
                                 const TrainRecipe& recipe, const streams::TaskData& task,
                                 double steps) const {
  const std::string& t = task.name();
  const double adapted = 1.0 - std::exp(-steps / spec_.adapt_steps);
  auto match = [&](const Component& c) {
    if (c.owner() != t)
      return relatedness(t, c.owner());
    const double r = c.parent().empty() ? 0.0 : relatedness(t, owner_of(c.parent()));
    return 1.0 - (1.0 - r) * (1.0 - adapted);
  };
  double embedding_w = 0.0;
  double embedding_m = 0.0;
  double block_w = 0.0;
  double fit = 0.0;
  double head = 0.0;
  std::map<int64_t, const Component*> adapters;
  for (const Component* c : path) {
    if (c->kind() == ComponentKind::kAdapter && c->owner() == t)
      adapters[c->index()] = c;
  }
  for (const Component* c : path) {
    const double w = static_cast<double>(c->num_params());
    if (embedding_group(c->kind())) {
      embedding_w += w;
      embedding_m += w * match(*c);
    } else if (c->kind() == ComponentKind::kBlock) {
      double m = match(*c);
      if (adapters.count(c->index()))
        m = 1.0 - (1.0 - m) * (1.0 - 0.5 * adapted);
      block_w = w;
      fit += w * m;
    } else if (c->kind() == ComponentKind::kHead && c->owner() == t) {
      head = 1.0 - std::exp(-4.0 * steps / spec_.adapt_steps);
    }
  }
  const double total = embedding_w + static_cast<double>(depth_) * block_w;
  fit = total > 0.0 ? (fit + embedding_m) / total : 0.0;
  const Profile p = profile(t);
  const double lr = std::log10(std::max(recipe.learning_rate, 1e-12) / p.learning_rate);
  const double l = 0.7 + 0.3 * std::exp(-lr * lr / 0.5);
  const double chance = task.num_classes > 0 ? 1.0 / static_cast<double>(task.num_classes) : 0.0;
  return chance + (p.ceiling - chance) * fit * head * l;
}

SimulationModel::Cost SimulationModel::costs(const std::vector<const Component*>& path,
                                             const TrainRecipe& recipe,
                                             const TrainSettings& settings) const {
  const double flops = FlopCount::forward(VitLayout::of(path), side_of(recipe, image_size_));
  double all = 0.0;
  double trained = 0.0;
  for (const Component* c : path) {
    all += static_cast<double>(c->num_params());
    if (!c->frozen())
      trained += static_cast<double>(c->num_params());
  }
  const double share = all > 0.0 ? trained / all : 0.0;
  const int64_t validations =
      (settings.steps + settings.validation_interval - 1) / settings.validation_interval;
  Cost c;
  c.train = static_cast<double>(settings.steps * settings.batch_size) * flops *
            (1.0 + 2.0 * share) / spec_.flops_per_second;
  c.validation =
      static_cast<double>(validations * spec_.validation_images) * flops / spec_.flops_per_second;
  return c;
}

double SimulationModel::cost(const std::vector<const Component*>& path, const TrainRecipe& recipe,
                             const TrainSettings& settings) const {
  const Cost c = costs(path, recipe, settings);
  return c.train + c.validation;
}

TrainResult SimulationModel::train(const std::vector<std::shared_ptr<const Component>>& path,
                                   const TrainRecipe& recipe, const streams::TaskData& task,
                                   uint64_t seed, const TrainSettings& settings,
                                   const TrainProgress& progress) const {
  const std::vector<const Component*> components = pointers(path);
  bool trains = false;
  for (const Component* c : components)
    trains = trains || !c->frozen();
  if (!trains)
    throw std::invalid_argument("candidate path has no trainable component");
  TrainResult result;
  result.quality = -1.0;
  const Cost c = costs(components, recipe, settings);
  result.train_seconds = c.train;
  result.validation_seconds = c.validation;
  result.seconds = c.train + c.validation;
  result.images = settings.steps * settings.batch_size;
  int64_t v = 0;
  for (int64_t step = settings.validation_interval;; step += settings.validation_interval) {
    step = std::min(step, settings.steps);
    common::Rng rng = common::Rng::derive({seed, kValidation, static_cast<uint64_t>(v++)});
    const double a = std::clamp(
        accuracy(components, recipe, task, static_cast<double>(step)) + spec_.noise * rng.normal(),
        0.0, 1.0);
    result.validations.push_back({step, a, 0.0});
    if (a > result.quality) {
      result.quality = a;
      result.best_step = step;
    }
    if (progress)
      progress(step, settings.steps, a);
    if (step == settings.steps)
      break;
  }
  // The trained components: their sources plus seeded noise, so each commit adds new bytes.
  common::Rng rng = common::Rng::derive({seed, kWeights});
  for (const Component* c : components) {
    if (c->frozen())
      continue;
    std::vector<at::Tensor> tensors;
    for (const auto& t : c->tensors()) {
      at::Tensor u = t.to(at::kFloat).contiguous().clone();
      float* data = u.data_ptr<float>();
      for (int64_t i = 0; i < u.numel(); ++i)
        data[i] += static_cast<float>(1e-3 * rng.normal());
      tensors.push_back(u);
    }
    result.trained.push_back(c->with_tensors(std::move(tensors)));
  }
  return result;
}

SimulatedEvaluation SimulationModel::evaluate(
    const std::vector<std::shared_ptr<const Component>>& path, const TrainRecipe& recipe,
    const streams::TaskData& task, double nominal_steps) const {
  common::ContentHash h;
  h.update(task.name());
  for (const auto& c : path)
    h.update(c->id()).update(c->content_hash());
  uint64_t lr_bits = 0;
  std::memcpy(&lr_bits, &recipe.learning_rate, sizeof lr_bits);
  h.update(lr_bits).update(static_cast<uint64_t>(recipe.image_size));
  common::Rng rng = common::Rng::derive({seed_, kTest, h.digest()});
  SimulatedEvaluation e;
  e.accuracy = std::clamp(
      accuracy(pointers(path), recipe, task, nominal_steps) + spec_.noise * rng.normal(), 0.0, 1.0);
  e.predictions_hash = h.hex();
  return e;
}

}  // namespace evostream::model
