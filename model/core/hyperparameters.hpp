#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

namespace evostream::model {

/// Learning-rate schedules (µ2Net's `opt_lr_schedule`).
enum class Schedule {
  kConstant,  ///< 0.5 × learning_rate throughout (as in the reference notebooks)
  kCosine,    ///< linear warmup from lr/100 to lr, then cosine decay to 0
  kRestarts,  ///< warmup, then one cosine cycle per validation interval (SGDR)
  kFlat,      ///< exactly learning_rate throughout, no warmup (Avalanche's and PyTorch's default)
};

/// The names of the schedules, indexed by their value, as scenarios and results.json write
/// them.
inline constexpr std::array<const char*, 4> kScheduleNames = {"constant", "cosine", "restarts",
                                                              "flat"};

/// A path's own hyperparameters: its "DNA", tuned by evolution.
struct Hyperparameters {
  /// Peak learning rate of SGD. Default: 0.01.
  double learning_rate = 0.01;
  /// Learning-rate schedule. Default: cosine.
  Schedule schedule = Schedule::kCosine;
  /// Share of the steps spent warming up. Default: 0.1.
  double warmup_ratio = 0.1;
  /// SGD momentum; 0 disables it. Default: 0.9.
  double momentum = 0.9;
  /// Nesterov momentum. Default: false.
  bool nesterov = false;
  /// Hidden width of adapters inserted by this path. Default: 32.
  int64_t adapter_dim = 32;
  /// Side the images are resized to before the patch embedding; 0 keeps the task's size.
  /// Default: 0.
  int64_t image_size = 0;
  /// Smallest area share of a random crop; 1 disables cropping. Default: 1.0.
  double crop_area_min = 1.0;
  /// Random horizontal flips. Default: false.
  bool flip = false;
  /// Largest brightness shift, in [0, 1] pixel units; 0 disables it. Default: 0.
  double brightness = 0.0;
  /// Largest relative contrast change; 0 disables it. Default: 0.
  double contrast = 0.0;
  /// Mutation probability µ of this path's children (µ2Net's self-tuned `_mu_`). Default: 0.2.
  double mu = 0.2;

  /// True when training sees every image exactly as stored (no random augmentation), which
  /// makes the activations of a frozen prefix reusable across steps.
  bool deterministic_input() const {
    return crop_area_min >= 1.0 && !flip && brightness == 0.0 && contrast == 0.0;
  }
};

/// The names of `Hyperparameters`' fields in declaration order, as results.json and snapshots
/// write them.
inline constexpr std::array<const char*, 12> kHyperparameterNames = {
    "learning_rate", "schedule",      "warmup_ratio", "momentum",   "nesterov", "adapter_dim",
    "image_size",    "crop_area_min", "flip",         "brightness", "contrast", "mu"};

/// Every field of `hp`, as references in declaration order: the one description of the
/// hyperparameters that network messages, JSON files and the state hash are written from (a
/// new field is added here and in `kHyperparameterNames`, nowhere else).
template <class Hp>
auto fields_of(Hp& hp) {
  return std::tie(hp.learning_rate, hp.schedule, hp.warmup_ratio, hp.momentum, hp.nesterov,
                  hp.adapter_dim, hp.image_size, hp.crop_area_min, hp.flip, hp.brightness,
                  hp.contrast, hp.mu);
}

/// Calls `f(name, field)` for every field of `hp` in declaration order.
template <class Hp, class F>
void visit_fields(Hp& hp, F&& f) {
  auto fields = fields_of(hp);
  static_assert(std::tuple_size<decltype(fields)>::value == kHyperparameterNames.size(),
                "every field of Hyperparameters needs a name");
  std::apply(
      [&](auto&... field) {
        size_t i = 0;
        (f(kHyperparameterNames[i++], field), ...);
      },
      fields);
}

}  // namespace evostream::model
