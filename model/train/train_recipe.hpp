#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/train/optimizer_options.hpp"

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

/// One value a strategy adds to a recipe: a name the trainer does not know and a number (e.g.
/// µ2Net's `mu` and `adapter_dim`).
struct RecipeExtra {
  /// The value's name, unique within its recipe.
  std::string name;
  /// The value; an integer one holds a whole number.
  double value = 0.0;
  /// Whether the value is a count (written and hashed as an integer). Default: false.
  bool integer = false;

  friend bool operator==(const RecipeExtra& a, const RecipeExtra& b) {
    return a.name == b.name && a.value == b.value && a.integer == b.integer;
  }
  /// Writes `name=value` (`name=value (integer)` for a count), for messages and test output.
  friend std::ostream& operator<<(std::ostream& out, const RecipeExtra& e) {
    return out << e.name << '=' << e.value << (e.integer ? " (integer)" : "");
  }
};

/// How a path trains: what it minimises, its optimizer, the learning rate and its schedule, the
/// image size and the augmentation every trainer reads, plus the values of the strategy's own
/// (`extras`). A strategy decides it; results.json, snapshots and train jobs carry it, and the
/// state hash its fields and extras. The steps are the candidate's (a share of the task's
/// budget) and the model family the run's (`[root.architecture] family`).
struct TrainRecipe {
  /// Peak learning rate. Default: 0.01.
  double learning_rate = 0.01;
  /// Learning-rate schedule. Default: cosine.
  Schedule schedule = Schedule::kCosine;
  /// Share of the steps spent warming up. Default: 0.1.
  double warmup_ratio = 0.1;
  /// SGD momentum; 0 disables it. Default: 0.9.
  double momentum = 0.9;
  /// Nesterov momentum. Default: false.
  bool nesterov = false;
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
  /// What the training minimises, by name (`Objective::name`): the candidate's objective, which
  /// `TrainJob::of` checks against it. Default: "cross-entropy".
  std::string objective = "cross-entropy";
  /// The optimizer the strategy chose; none trains with the trainer's own
  /// (`TrainSettings::optimizer`, whose SGD takes this recipe's momentum). Default: none.
  std::optional<OptimizerOptions> optimizer;
  /// The strategy's own values, in the order it set them. Default: none.
  std::vector<RecipeExtra> extras;

  /// True when training sees every image exactly as stored (no random augmentation), which
  /// makes the activations of a frozen prefix reusable across steps.
  bool deterministic_input() const {
    return crop_area_min >= 1.0 && !flip && brightness == 0.0 && contrast == 0.0;
  }

  /// The extra value `name`, if the recipe has one.
  std::optional<double> extra(const std::string& name) const {
    for (const auto& e : extras) {
      if (e.name == name)
        return e.value;
    }
    return std::nullopt;
  }
  /// Sets the extra value `name` (an integer one when `integer`), replacing one of that name or
  /// appending it; returns the recipe.
  TrainRecipe& set_extra(const std::string& name, double value, bool integer = false) {
    for (auto& e : extras) {
      if (e.name == name) {
        e.value = value;
        e.integer = integer;
        return *this;
      }
    }
    extras.push_back({name, value, integer});
    return *this;
  }
};

/// The names of `TrainRecipe`'s fields in declaration order (its extras aside), as results.json
/// and snapshots write them.
inline constexpr std::array<const char*, 10> kRecipeFieldNames = {
    "learning_rate", "schedule",      "warmup_ratio", "momentum",   "nesterov",
    "image_size",    "crop_area_min", "flip",         "brightness", "contrast"};

/// Every field of `recipe` but its extras, as references in declaration order: the one
/// description that network messages, JSON files and the state hash are written from (a new
/// field is added here and in `kRecipeFieldNames`, nowhere else).
template <class Recipe,
          class = std::enable_if_t<std::is_same_v<std::remove_const_t<Recipe>, TrainRecipe>>>
auto fields_of(Recipe& r) {
  return std::tie(r.learning_rate, r.schedule, r.warmup_ratio, r.momentum, r.nesterov, r.image_size,
                  r.crop_area_min, r.flip, r.brightness, r.contrast);
}

/// Calls `f(name, field)` for every field of `recipe` but its extras, in declaration order.
template <class Recipe, class F,
          class = std::enable_if_t<std::is_same_v<std::remove_const_t<Recipe>, TrainRecipe>>>
void visit_fields(Recipe& r, F&& f) {
  auto fields = fields_of(r);
  static_assert(std::tuple_size<decltype(fields)>::value == kRecipeFieldNames.size(),
                "every field of TrainRecipe needs a name");
  std::apply(
      [&](auto&... field) {
        size_t i = 0;
        (f(kRecipeFieldNames[i++], field), ...);
      },
      fields);
}

}  // namespace evostream::model
