#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/strategies/strategy.hpp"

namespace evostream::model {

/// A task visit that trains nothing and commits a path of components already in the store
/// (what a joint strategy's later visits do: the model was trained on the whole stream).
class CommittedVisit : public TaskLearner {
 public:
  explicit CommittedVisit(Path path) { outcome_.path = std::move(path); }
  std::vector<Candidate> next() override { return {}; }
  CandidateRecord record(const Candidate&, const TrainResult&) override {
    throw std::logic_error("a committed visit trains no candidate");
  }
  TaskOutcome finish() override { return std::move(outcome_); }

 private:
  TaskOutcome outcome_;
};

}  // namespace evostream::model
