#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/shared_backbone/shared_backbone_options.hpp"

namespace evostream::model {

/// Experience replay's options: the `[strategy.replay]` table, the shared-backbone keys and
/// these.
class ReplayOptions : public SharedBackboneOptions {
 public:
  /// Key `memory`: examples the buffer holds, shared equally among every class of every task
  /// learned before. Default: 500.
  int64_t memory = 500;
  /// Key `replay_batch`: buffer examples appended to each training minibatch; 0 is
  /// `[strategy] batch_size`. Default: 0.
  int64_t replay_batch = 0;

  static std::shared_ptr<const StrategyOptions> read(config::OptionReader& r,
                                                     const config::StrategySpec& common);
  std::vector<std::pair<std::string, std::string>> values() const override;
};

}  // namespace evostream::model
