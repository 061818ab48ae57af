#include <catch2/catch.hpp>

#include "model/core/parameter_store.hpp"
#include "model/run/state_hash.hpp"
#include "model/strategies/mu2net/hyperparameters.hpp"
#include "model/train/recipe_text.hpp"
#include "model/train/train_job.hpp"
#include "model/train/train_recipe.hpp"

using evostream::model::Hyperparameters;
using evostream::model::ParameterStore;
using evostream::model::Path;
using evostream::model::RecipeExtra;
using evostream::model::RunProgress;
using evostream::model::Schedule;
using evostream::model::TrainRecipe;

namespace {

/// The state hash of a run whose one committed path trains with `recipe`.
std::string hash_with(const TrainRecipe& recipe) {
  ParameterStore store;
  RunProgress progress;
  progress.events_done = 1;
  Path p;
  p.name = "a@0";
  p.task = "a";
  p.ids = {"root/block0"};
  p.quality = 0.5;
  p.score = 0.5;
  p.recipe = recipe;
  progress.paths["a"] = p;
  return evostream::model::run_state_hash(store, progress);
}

}  // namespace

TEST_CASE("A recipe's extra is set by name, replaced by name and absent until set",
          "[model][recipe]") {
  TrainRecipe r;
  CHECK_FALSE(r.extra("alpha").has_value());
  r.set_extra("alpha", 0.5).set_extra("count", 3, true);
  REQUIRE(r.extras.size() == 2);
  CHECK(r.extra("alpha") == 0.5);
  r.set_extra("alpha", 0.25);
  REQUIRE(r.extras.size() == 2);  // replaced, not appended
  CHECK(r.extras[0] == RecipeExtra{"alpha", 0.25, false});
  CHECK(r.extras[1] == RecipeExtra{"count", 3.0, true});
}

TEST_CASE("µ2Net's hyperparameters become a recipe with two extras and come back from it",
          "[model][recipe][evolution]") {
  Hyperparameters hp;
  hp.train.learning_rate = 0.02;
  hp.train.schedule = Schedule::kRestarts;
  hp.adapter_dim = 64;
  hp.mu = 0.14;
  const TrainRecipe r = hp.recipe();
  CHECK(r.learning_rate == 0.02);
  CHECK(r.schedule == Schedule::kRestarts);
  REQUIRE(r.extras.size() == 2);
  CHECK(r.extras[0] == RecipeExtra{"adapter_dim", 64.0, true});
  CHECK(r.extras[1] == RecipeExtra{"mu", 0.14, false});

  const Hyperparameters back = Hyperparameters::of(r);
  CHECK(back.adapter_dim == 64);
  CHECK(back.mu == 0.14);
  CHECK(back.train.learning_rate == 0.02);
  CHECK(back.train.extras.empty());  // its two values are fields, not extras, again
  CHECK(back.recipe().extras == r.extras);

  // A recipe another strategy wrote gives µ2Net's defaults and keeps its own extras.
  TrainRecipe other;
  other.set_extra("lambda", 1000);
  const Hyperparameters from_other = Hyperparameters::of(other);
  CHECK(from_other.adapter_dim == 32);
  CHECK(from_other.mu == 0.2);
  REQUIRE(from_other.train.extras.size() == 1);
  CHECK(from_other.train.extras[0].name == "lambda");
}

TEST_CASE("A recipe reads as its fields then its extras, and its changes name what moved",
          "[model][recipe]") {
  TrainRecipe before;
  before.set_extra("adapter_dim", 32, true).set_extra("mu", 0.2);
  const auto entries = evostream::model::recipe_entries(before);
  REQUIRE(entries.size() == evostream::model::kRecipeFieldNames.size() + 4);
  CHECK(entries.front() == std::make_pair(std::string("learning_rate"), std::string("0.01")));
  CHECK(entries[1].second == "cosine");
  CHECK(entries[10] == std::make_pair(std::string("objective"), std::string("cross-entropy")));
  CHECK(entries[11] == std::make_pair(std::string("optimizer"), std::string("trainer's")));
  CHECK(entries[entries.size() - 2] ==
        std::make_pair(std::string("adapter_dim"), std::string("32")));
  CHECK(entries.back() == std::make_pair(std::string("mu"), std::string("0.2")));

  TrainRecipe after = before;
  after.learning_rate = 0.02;
  after.flip = true;
  after.set_extra("mu", 0.22);
  after.extras.erase(after.extras.begin());  // adapter_dim dropped
  after.set_extra("lambda", 1000);
  evostream::model::OptimizerOptions adam;
  adam.kind = evostream::model::OptimizerOptions::Kind::kAdamW;
  adam.carry_state = true;
  after.optimizer = adam;
  CHECK(evostream::model::recipe_changes(before, after) ==
        std::vector<std::string>{"learning_rate 0.01 → 0.02", "flip no → yes",
                                 "optimizer trainer's → adamw wd=0.05 clip=1 carried",
                                 "mu 0.2 → 0.22", "lambda none → 1000", "adapter_dim 32 → none"});
  CHECK(evostream::model::recipe_changes(before, before).empty());
}

TEST_CASE(
    "The state hash of a path without µ2Net's extras is that of one with their former "
    "values, and every other extra counts",
    "[model][recipe]") {
  TrainRecipe plain;
  TrainRecipe with = plain;
  with.set_extra("adapter_dim", 32, true).set_extra("mu", 0.2);
  // Recorded hashes predate recipes, when every path carried adapter_dim 32 and mu 0.2.
  CHECK(hash_with(plain) == hash_with(with));

  TrainRecipe other_mu = with;
  other_mu.set_extra("mu", 0.22);
  CHECK(hash_with(other_mu) != hash_with(with));
  TrainRecipe other_dim = with;
  other_dim.set_extra("adapter_dim", 64, true);
  CHECK(hash_with(other_dim) != hash_with(with));

  TrainRecipe extra = plain;
  extra.set_extra("lambda", 1000);
  CHECK(hash_with(extra) != hash_with(plain));
  TrainRecipe renamed = plain;
  renamed.set_extra("alpha", 1000);
  CHECK(hash_with(renamed) != hash_with(extra));  // the name counts, not only the value
  TrainRecipe as_integer = plain;
  as_integer.set_extra("lambda", 1000, true);
  CHECK(hash_with(as_integer) != hash_with(extra));
}

TEST_CASE("A job is refused when its candidate's objective is not the one its recipe names",
          "[model][recipe]") {
  evostream::model::Candidate c;
  c.path.name = "a@0";
  CHECK_NOTHROW(evostream::model::TrainJob::of(c));  // no objective: cross-entropy, as named
  c.objective = evostream::model::objective_named("cross-entropy");
  CHECK(evostream::model::TrainJob::of(c).recipe.objective == "cross-entropy");
  c.path.recipe.objective = "ewc";
  CHECK_THROWS_WITH(evostream::model::TrainJob::of(c),
                    Catch::Contains("candidate a@0 trains with objective \"cross-entropy\" but "
                                    "its recipe names \"ewc\""));
}
