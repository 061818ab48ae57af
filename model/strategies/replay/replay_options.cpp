#include "model/strategies/replay/replay_options.hpp"

namespace evostream::model {

std::shared_ptr<const StrategyOptions> ReplayOptions::read(config::OptionReader& r,
                                                           const config::StrategySpec& common) {
  auto o = std::make_shared<ReplayOptions>();
  o->read_shared(r);
  o->memory = r.integer("memory", o->memory, 1, int64_t{1} << 30);
  o->replay_batch = r.integer("replay_batch", o->replay_batch, 0, int64_t{1} << 20);
  if (o->replay_batch == 0)
    o->replay_batch = common.batch_size;
  r.finish();
  return o;
}

std::vector<std::pair<std::string, std::string>> ReplayOptions::values() const {
  auto out = SharedBackboneOptions::values();
  out.emplace_back("memory", std::to_string(memory));
  out.emplace_back("replay_batch", std::to_string(replay_batch));
  return out;
}

}  // namespace evostream::model
