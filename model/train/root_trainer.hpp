#pragma once

#include <cstdint>
#include <vector>

#include "config/scenario.hpp"
#include "model/core/component.hpp"
#include "model/train/trainer.hpp"
#include "streams/task_data.hpp"

namespace evostream::model {

/// Trains a root model from scratch on the scenario's pretraining task.
///
/// Every component trains, with AdamW (weight decay 0.05), warmup over 5% of the steps, then
/// cosine decay, and no augmentation; the components of the best validation are returned, owned
/// by `root` and ready to commit.
class RootTrainer {
 public:
  /// `threads`: torch intra-op threads; `device`: "cpu" or "cuda:K".
  RootTrainer(config::RootSpec spec, int64_t threads = 1, std::string device = "cpu");

  /// Trains on `task` with a generator seeded by `seed`; `progress` sees each validation.
  std::vector<Component> train(const streams::TaskData& task, uint64_t seed,
                               const TrainProgress& progress = {},
                               TrainResult* result = nullptr) const;

 private:
  config::RootSpec spec_;
  int64_t threads_;
  std::string device_;
};

}  // namespace evostream::model
