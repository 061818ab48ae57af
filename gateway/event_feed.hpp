#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace evostream::gateway {

/// The run's events as `GET /events` sends them: each event published gets the next id
/// (1, 2, ...) and the latest `capacity` are kept, so a client that connects late, or comes
/// back with `Last-Event-ID`, is sent what it missed while the feed still holds it. Safe to
/// use from any thread.
class EventFeed {
 public:
  /// One event as published: its id and its JSON text (one line).
  struct Event {
    int64_t id = 0;
    std::string json;
  };
  /// What `after` found: the events, and how many after the asked id the feed no longer held
  /// (they come before the events).
  struct Batch {
    std::vector<Event> events;
    int64_t missed = 0;
  };

  /// Keeps the latest `capacity` events (at least 1). Default: 4096.
  explicit EventFeed(size_t capacity = 4096);

  /// Appends one event (its JSON text, without a newline) and wakes those waiting.
  void publish(std::string json);
  /// The events with ids above `id` (at most `most`); waits up to `wait` for one when there is
  /// none, returning an empty batch after it or once the feed is closed.
  Batch after(int64_t id, std::chrono::milliseconds wait, size_t most = 256) const;
  /// Counts `n` events as published without keeping them (a history longer than the feed
  /// holds): the next one published gets the id after them.
  void skip(int64_t n);
  /// Events kept at most.
  size_t capacity() const { return capacity_; }
  /// Wakes every wait for good: `after` no longer waits.
  void close();
  /// Whether `close` was called.
  bool closed() const;
  /// The id of the latest event (0 before the first).
  int64_t last_id() const;

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::condition_variable published_;
  std::deque<Event> events_;
  int64_t last_ = 0;
  bool closed_ = false;
};

/// A text/event-stream body over `feed`, from the event after `after`: each call gives the
/// next bytes to send (`id:` and `data:` lines per event; a `: missed N events` comment where
/// the feed no longer held some), "" when nothing came within a quarter of a second, a
/// `: keep-alive` comment after `heartbeat` without events (so a client that left is found
/// by the next write), and nothing once the feed is closed.
class EventStream {
 public:
  EventStream(const EventFeed& feed, int64_t after,
              std::chrono::milliseconds heartbeat = std::chrono::seconds(15));
  std::optional<std::string> operator()();

 private:
  const EventFeed* feed_;
  int64_t after_;
  std::chrono::milliseconds heartbeat_;
  std::chrono::steady_clock::time_point last_sent_;
};

}  // namespace evostream::gateway
