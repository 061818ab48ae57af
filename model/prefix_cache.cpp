#include "model/prefix_cache.hpp"

#include <chrono>

namespace evostream::model {

PrefixCache::PrefixCache(int64_t budget_bytes) : budget_(budget_bytes) {}

at::Tensor PrefixCache::get(const std::string& key, int64_t bytes,
                            const std::function<at::Tensor()>& compute) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    recency_.splice(recency_.begin(), recency_, it->second.position);
    ++hits_;
    return it->second.value;
  }
  if (bytes > budget_)
    return {};
  while (bytes_ + bytes > budget_ && !recency_.empty()) {
    auto victim = entries_.find(recency_.back());
    bytes_ -=
        victim->second.value.numel() * static_cast<int64_t>(victim->second.value.element_size());
    entries_.erase(victim);
    recency_.pop_back();
  }
  const auto t0 = std::chrono::steady_clock::now();
  at::Tensor value = compute();
  compute_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++misses_;
  recency_.push_front(key);
  entries_[key] = {value, recency_.begin()};
  bytes_ += value.numel() * static_cast<int64_t>(value.element_size());
  return value;
}

}  // namespace evostream::model
