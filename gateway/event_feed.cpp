#include "gateway/event_feed.hpp"

#include <algorithm>

namespace evostream::gateway {

EventFeed::EventFeed(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

void EventFeed::publish(std::string json) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back({++last_, std::move(json)});
    if (events_.size() > capacity_)
      events_.pop_front();
  }
  published_.notify_all();
}

EventFeed::Batch EventFeed::after(int64_t id, std::chrono::milliseconds wait, size_t most) const {
  std::unique_lock<std::mutex> lock(mutex_);
  published_.wait_for(lock, wait, [&] { return closed_ || last_ > id; });
  Batch batch;
  if (last_ <= id)
    return batch;
  if (events_.empty()) {  // every event after `id` was skipped
    batch.missed = last_ - id;
    return batch;
  }
  const int64_t first = events_.front().id;
  if (id + 1 < first) {
    batch.missed = first - id - 1;
    id = first - 1;
  }
  for (auto it = events_.begin() + (id + 1 - first);
       it != events_.end() && batch.events.size() < most; ++it)
    batch.events.push_back(*it);
  return batch;
}

void EventFeed::skip(int64_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_ += std::max<int64_t>(n, 0);
  events_.clear();  // what was kept came before the skipped ones
}

void EventFeed::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  published_.notify_all();
}

bool EventFeed::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

int64_t EventFeed::last_id() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_;
}

EventStream::EventStream(const EventFeed& feed, int64_t after, std::chrono::milliseconds heartbeat)
    : feed_(&feed),
      after_(after),
      heartbeat_(heartbeat),
      last_sent_(std::chrono::steady_clock::now()) {}

std::optional<std::string> EventStream::operator()() {
  if (feed_->closed() && feed_->last_id() <= after_)
    return std::nullopt;
  const EventFeed::Batch batch = feed_->after(after_, std::chrono::milliseconds(250));
  std::string out;
  if (batch.missed > 0)
    out += ": missed " + std::to_string(batch.missed) + " events\n\n";
  after_ += batch.missed;
  for (const auto& e : batch.events) {
    out += "id: " + std::to_string(e.id) + "\ndata: " + e.json + "\n\n";
    after_ = e.id;
  }
  const auto now = std::chrono::steady_clock::now();
  if (out.empty() && now - last_sent_ >= heartbeat_)
    out = ": keep-alive\n\n";
  if (!out.empty())
    last_sent_ = now;
  return out;
}

}  // namespace evostream::gateway
