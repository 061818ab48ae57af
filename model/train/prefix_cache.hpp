#pragma once

#include <ATen/core/Tensor.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace evostream::model {

/// Activations of frozen path prefixes, kept across training steps and across candidates.
///
/// A prefix (embedding plus leading frozen blocks) that no candidate trains gives the same
/// output for an image every time the input is not randomly augmented. The cache keeps that
/// output for every image of a split, under a key naming the task, the split, the prefix's
/// components and the image size, so that candidates sharing the prefix skip it entirely.
/// Entries are computed in fixed-size chunks, so their bytes never depend on which candidate
/// asked first. Least recently used entries are dropped beyond the byte budget.
///
/// Thread-safe: the local trainers of a run share one cache; an entry being computed by one of
/// them is waited for, not computed again.
class PrefixCache {
 public:
  /// `budget_bytes`: the most the cache holds. Default: 2 GiB.
  explicit PrefixCache(int64_t budget_bytes = int64_t{2} << 30);

  /// The entry `key`, computed by `compute` when absent. Returns an undefined tensor when the
  /// entry would not fit in the budget (`bytes` is its size), so the caller computes directly.
  at::Tensor get(const std::string& key, int64_t bytes, const std::function<at::Tensor()>& compute);

  /// Bytes held now.
  int64_t bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bytes_;
  }
  /// Entries held now.
  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }
  /// Lookups answered from the cache, and entries computed, so far.
  int64_t hits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return hits_;
  }
  int64_t misses() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return misses_;
  }
  /// Seconds spent computing entries so far.
  double compute_seconds() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return compute_seconds_;
  }

 private:
  struct Entry {
    at::Tensor value;
    std::list<std::string>::iterator position;
  };

  int64_t budget_;
  int64_t bytes_ = 0;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
  double compute_seconds_ = 0.0;
  std::map<std::string, Entry> entries_;
  std::list<std::string> recency_;   // most recently used first
  std::set<std::string> computing_;  // entries being computed, outside the lock
  mutable std::mutex mutex_;
  std::condition_variable computed_;
};

}  // namespace evostream::model
