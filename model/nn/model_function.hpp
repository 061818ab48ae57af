#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "model/nn/routing.hpp"

namespace evostream::model {

/// A path's forward pass as its model family computes it, split where its frozen prefix ends.
///
/// A path is a frozen prefix (what no candidate trains and that can run without autograd; empty
/// when the first part trains) followed by the rest. The trainer runs the prefix once per batch
/// without autograd, or reads its output from the prefix cache when the input is not randomly
/// augmented, and differentiates only the rest. Images arrive as floats in [0, 1], N × C × H ×
/// W, on the function's device.
class ModelFunction {
 public:
  virtual ~ModelFunction() = default;

  /// Whether the path starts with a frozen prefix that can run without autograd.
  virtual bool has_frozen_prefix() const = 0;
  /// The frozen prefix's output for `images` (call it without autograd); only with a prefix.
  virtual at::Tensor prefix(const at::Tensor& images) const = 0;
  /// The features every head reads, [N, width], from the prefix's output (or from the images
  /// when there is no frozen prefix).
  virtual at::Tensor features_after_prefix(const at::Tensor& x) const = 0;
  /// The features of `images`, prefix included, [N, width].
  virtual at::Tensor features(const at::Tensor& images) const = 0;
  /// The path's head on `features`: logits [N, classes].
  virtual at::Tensor head(const at::Tensor& features) const = 0;
  /// The whole forward pass: logits [N, classes].
  at::Tensor forward(const at::Tensor& images) const { return head(features(images)); }

  /// Tasks the function serves at once: 1, or the tasks of a joint model (Mod-Squad trained on
  /// the whole stream), whose passes need each example's task (`task_features_after_prefix`).
  virtual int64_t tasks() const { return 1; }
  /// The features of examples of the function's tasks from the prefix's output (as
  /// `features_after_prefix`): `tasks` [N] int64 holds each example's task in [0, `tasks()`).
  /// A function of one task ignores it.
  virtual at::Tensor task_features_after_prefix(const at::Tensor& x,
                                                const at::Tensor& tasks) const {
    (void)tasks;
    return features_after_prefix(x);
  }
  /// The logits of examples of the function's tasks, prefix included: [N, classes].
  at::Tensor task_forward(const at::Tensor& images, const at::Tensor& tasks) const {
    return head(task_features_after_prefix(has_frozen_prefix() ? prefix(images) : images, tasks));
  }

  /// Number of classes the head scores.
  virtual int64_t classes() const = 0;
  /// The id of the component that holds the head, for errors.
  virtual std::string head_id() const = 0;
  /// The device its tensors are on.
  virtual c10::Device device() const = 0;

  /// What names the prefix's output for images of side `side`: the ids of its components and
  /// anything else it depends on (the prefix cache's key, with the task and split).
  virtual std::string prefix_key(int64_t side) const = 0;
  /// Bytes of the prefix's output for `images` images of side `side`.
  virtual int64_t prefix_bytes(int64_t side, int64_t images) const = 0;
  /// Forward FLOPs per image of side `side` of the frozen prefix (0 without one) and of the
  /// rest (the head included).
  virtual double prefix_flops(int64_t side) const = 0;
  virtual double rest_flops(int64_t side) const = 0;

  /// What the latest forward pass through this function routed (the moe-vit family); null
  /// for families without routers.
  virtual const Routing* routing() const { return nullptr; }
};

}  // namespace evostream::model
