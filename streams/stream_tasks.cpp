#include "streams/stream_tasks.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace evostream::streams {

StreamTasks::StreamTasks(std::shared_ptr<const std::vector<TaskData>> first) {
  if (!first)
    throw std::invalid_argument("stream tasks: expected a first list of tasks, found none");
  versions_.push_back(std::move(first));
}

std::shared_ptr<const std::vector<TaskData>> StreamTasks::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return versions_.back();
}

size_t StreamTasks::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return versions_.back()->size();
}

void StreamTasks::grow(std::shared_ptr<const std::vector<TaskData>> next) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::vector<TaskData>& latest = *versions_.back();
  if (!next || next->size() <= latest.size()) {
    throw std::invalid_argument(
        fmt::format("stream tasks: expected more than the {} tasks the stream has, found {}",
                    latest.size(), next ? next->size() : 0));
  }
  for (size_t j = 0; j < latest.size(); ++j) {
    if ((*next)[j].name() != latest[j].name()) {
      throw std::invalid_argument(fmt::format(
          "stream tasks: expected task {} to be \"{}\" as before, found \"{}\" (a stream only "
          "grows at its end)",
          j, latest[j].name(), (*next)[j].name()));
    }
  }
  versions_.push_back(std::move(next));
}

}  // namespace evostream::streams
