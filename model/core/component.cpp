#include "model/core/component.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "common/content_hash.hpp"

namespace evostream::model {

namespace {

constexpr ComponentKind kKinds[] = {ComponentKind::kPatchEmbedding,
                                    ComponentKind::kClassToken,
                                    ComponentKind::kPositionEmbedding,
                                    ComponentKind::kBlock,
                                    ComponentKind::kAdapter,
                                    ComponentKind::kFinalNorm,
                                    ComponentKind::kHead,
                                    ComponentKind::kRandomLinear,
                                    ComponentKind::kMask,
                                    ComponentKind::kAlpha,
                                    ComponentKind::kTaskEmbedding,
                                    ComponentKind::kMoeBlock,
                                    ComponentKind::kExperts,
                                    ComponentKind::kRouter,
                                    ComponentKind::kExpertUsage,
                                    ComponentKind::kAttentionMoeBlock,
                                    ComponentKind::kAttentionExperts};

}  // namespace

const char* kind_name(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kPatchEmbedding:
      return "patch_embedding";
    case ComponentKind::kClassToken:
      return "class_token";
    case ComponentKind::kPositionEmbedding:
      return "position_embedding";
    case ComponentKind::kBlock:
      return "block";
    case ComponentKind::kAdapter:
      return "adapter";
    case ComponentKind::kFinalNorm:
      return "final_norm";
    case ComponentKind::kHead:
      return "head";
    case ComponentKind::kRandomLinear:
      return "random_linear";
    case ComponentKind::kMask:
      return "mask";
    case ComponentKind::kAlpha:
      return "alpha";
    case ComponentKind::kTaskEmbedding:
      return "task_embedding";
    case ComponentKind::kMoeBlock:
      return "moe_block";
    case ComponentKind::kAttentionMoeBlock:
      return "attention_moe_block";
    case ComponentKind::kAttentionExperts:
      return "attention_experts";
    case ComponentKind::kExperts:
      return "experts";
    case ComponentKind::kRouter:
      return "router";
    case ComponentKind::kExpertUsage:
      return "expert_usage";
  }
  return "?";
}

ComponentKind kind_from_name(const std::string& name) {
  for (ComponentKind k : kKinds) {
    if (name == kind_name(k))
      return k;
  }
  throw std::invalid_argument("unknown component kind \"" + name + "\"");
}

Component::Component(std::string id, ComponentKind kind, int64_t index, std::string owner,
                     std::string parent, std::vector<std::string> names,
                     std::vector<at::Tensor> tensors)
    : id_(std::move(id)),
      kind_(kind),
      index_(index),
      owner_(std::move(owner)),
      parent_(std::move(parent)),
      names_(std::move(names)),
      tensors_(std::move(tensors)) {
  if (names_.size() != tensors_.size()) {
    throw std::invalid_argument(
        fmt::format("component {}: {} names for {} tensors", id_, names_.size(), tensors_.size()));
  }
}

const at::Tensor& Component::tensor(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name)
      return tensors_[i];
  }
  throw std::out_of_range(fmt::format("component {} has no tensor \"{}\"", id_, name));
}

int64_t Component::num_params() const {
  int64_t n = 0;
  for (const auto& t : tensors_)
    n += t.numel();
  return n;
}

namespace {

// Feeds each named tensor (name, shape, type, bytes) into `h`.
void hash_tensors(common::ContentHash& h, const std::vector<std::string>& names,
                  const std::vector<at::Tensor>& tensors) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    h.update(names[i]);
    const at::Tensor t = tensors[i].detach().to(at::kCPU).contiguous();
    for (int64_t d : t.sizes())
      h.update(static_cast<uint64_t>(d));
    h.update(static_cast<uint64_t>(t.scalar_type()));
    h.update(t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
  }
}

}  // namespace

std::string Component::content_hash() const {
  common::ContentHash h;
  h.update(std::string(kind_name(kind_))).update(static_cast<uint64_t>(index_));
  hash_tensors(h, names_, tensors_);
  return h.hex();
}

std::string Component::momentum_hash() const {
  if (momentum_.empty())
    return "";
  common::ContentHash h;
  h.update(std::string("momentum"));
  hash_tensors(h, names_, momentum_);
  if (!second_moment_.empty()) {
    h.update(std::string("second moment")).update(static_cast<uint64_t>(optimizer_steps_));
    hash_tensors(h, names_, second_moment_);
  }
  return h.hex();
}

Component Component::clone(const std::string& new_id, const std::string& new_owner) const {
  Component c = copy();
  c.id_ = new_id;
  c.owner_ = new_owner;
  c.parent_ = id_;
  return c;
}

Component Component::copy() const {
  std::vector<at::Tensor> copies;
  copies.reserve(tensors_.size());
  for (const auto& t : tensors_)
    copies.push_back(t.detach().clone());
  Component c(id_, kind_, index_, owner_, parent_, names_, std::move(copies));
  c.momentum_.reserve(momentum_.size());
  for (const auto& m : momentum_)
    c.momentum_.push_back(m.detach().clone());
  c.second_moment_.reserve(second_moment_.size());
  for (const auto& v : second_moment_)
    c.second_moment_.push_back(v.detach().clone());
  c.optimizer_steps_ = optimizer_steps_;
  return c;
}

Component Component::to(const std::string& device) const {
  const c10::Device target(device);
  Component c = *this;
  for (auto& t : c.tensors_)
    t = t.detach().to(target);
  for (auto& m : c.momentum_)
    m = m.detach().to(target);
  for (auto& v : c.second_moment_)
    v = v.detach().to(target);
  return c;
}

Component Component::with_momentum(std::vector<at::Tensor> traces) const {
  if (!traces.empty() && traces.size() != tensors_.size()) {
    throw std::invalid_argument(fmt::format("component {}: expected {} momentum traces, found {}",
                                            id_, tensors_.size(), traces.size()));
  }
  for (size_t i = 0; i < traces.size(); ++i) {
    if (traces[i].sizes() != tensors_[i].sizes()) {
      throw std::invalid_argument(fmt::format(
          "component {}: the momentum trace of tensor {} has shape {}, expected {}", id_, names_[i],
          fmt::join(traces[i].sizes(), "x"), fmt::join(tensors_[i].sizes(), "x")));
    }
  }
  Component c = *this;
  c.momentum_ = std::move(traces);
  if (c.momentum_.empty()) {  // the second moments belong to the first
    c.second_moment_.clear();
    c.optimizer_steps_ = 0;
  }
  return c;
}

Component Component::with_adam_state(std::vector<at::Tensor> first, std::vector<at::Tensor> second,
                                     int64_t steps) const {
  const bool none = first.empty() && second.empty() && steps == 0;
  if (!none && (second.size() != first.size() || steps < 1)) {
    throw std::invalid_argument(fmt::format(
        "component {}: expected Adam's first and second moments, one each per tensor, and a "
        "step count of at least 1, found {} first, {} second moments and {} steps",
        id_, first.size(), second.size(), steps));
  }
  for (size_t i = 0; i < second.size(); ++i) {
    if (second[i].sizes() != tensors_[i].sizes()) {
      throw std::invalid_argument(fmt::format(
          "component {}: the second moment of tensor {} has shape {}, expected {}", id_, names_[i],
          fmt::join(second[i].sizes(), "x"), fmt::join(tensors_[i].sizes(), "x")));
    }
  }
  Component c = with_momentum(std::move(first));
  c.second_moment_ = std::move(second);
  c.optimizer_steps_ = steps;
  return c;
}

Component Component::with_tensors(std::vector<at::Tensor> tensors) const {
  if (frozen_) {
    throw std::logic_error(
        fmt::format("component {} is frozen (owner {}): its tensors cannot be "
                    "replaced",
                    id_, owner_));
  }
  if (tensors.size() != tensors_.size()) {
    throw std::invalid_argument(fmt::format("component {}: expected {} tensors, found {}", id_,
                                            tensors_.size(), tensors.size()));
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].sizes() != tensors_[i].sizes()) {
      throw std::invalid_argument(
          fmt::format("component {}: tensor {} changes shape", id_, names_[i]));
    }
  }
  Component c = *this;
  c.tensors_ = std::move(tensors);
  return c;
}

void Component::freeze() {
  for (auto& t : tensors_)
    t = t.detach();
  for (auto& m : momentum_)
    m = m.detach();
  for (auto& v : second_moment_)
    v = v.detach();
  frozen_ = true;
}

std::vector<std::shared_ptr<const Component>> share(std::vector<Component> components) {
  std::vector<std::shared_ptr<const Component>> out;
  out.reserve(components.size());
  for (auto& c : components)
    out.push_back(std::make_shared<const Component>(std::move(c)));
  return out;
}

std::vector<const Component*> pointers(
    const std::vector<std::shared_ptr<const Component>>& handles) {
  std::vector<const Component*> out;
  out.reserve(handles.size());
  for (const auto& h : handles)
    out.push_back(h.get());
  return out;
}

std::string derived_id(const std::string& task, ComponentKind kind, int64_t index,
                       const std::string& suffix) {
  return task + "/" + kind_name(kind) + (index >= 0 ? std::to_string(index) : "") + suffix;
}

}  // namespace evostream::model
