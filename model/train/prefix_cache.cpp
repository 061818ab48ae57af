#include "model/train/prefix_cache.hpp"

#include <chrono>

namespace evostream::model {

PrefixCache::PrefixCache(int64_t budget_bytes) : budget_(budget_bytes) {}

at::Tensor PrefixCache::get(const std::string& key, int64_t bytes,
                            const std::function<at::Tensor()>& compute) {
  std::unique_lock<std::mutex> lock(mutex_);
  // Another trainer computing this entry: wait for it rather than compute it twice.
  computed_.wait(lock, [&] { return computing_.count(key) == 0; });
  if (auto it = entries_.find(key); it != entries_.end()) {
    recency_.splice(recency_.begin(), recency_, it->second.position);
    ++hits_;
    return it->second.value;
  }
  if (bytes > budget_)
    return {};
  computing_.insert(key);
  lock.unlock();
  const auto t0 = std::chrono::steady_clock::now();
  at::Tensor value;
  try {
    value = compute();
  } catch (...) {
    lock.lock();
    computing_.erase(key);
    computed_.notify_all();
    throw;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  lock.lock();
  computing_.erase(key);
  computed_.notify_all();
  compute_seconds_ += seconds;
  ++misses_;
  while (bytes_ + bytes > budget_ && !recency_.empty()) {
    auto victim = entries_.find(recency_.back());
    bytes_ -=
        victim->second.value.numel() * static_cast<int64_t>(victim->second.value.element_size());
    entries_.erase(victim);
    recency_.pop_back();
  }
  recency_.push_front(key);
  entries_[key] = {value, recency_.begin()};
  bytes_ += value.numel() * static_cast<int64_t>(value.element_size());
  return value;
}

}  // namespace evostream::model
