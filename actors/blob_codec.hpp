#pragma once

#include "actors/messages.hpp"
#include "model/component.hpp"
#include "model/evolution/evolver.hpp"
#include "model/hyperparameters.hpp"
#include "model/trainer.hpp"

namespace evostream::actors {

/// Converts model values to the messages' plain forms and back (bit for bit).
class BlobCodec {
 public:
  static component_blob encode(const model::Component& c);
  /// The component of `blob`, frozen if the blob says so.
  static model::Component decode(const component_blob& blob);
  static hyper_blob encode(const model::Hyperparameters& hp);
  static model::Hyperparameters decode(const hyper_blob& blob);
  /// The job training `candidate` of task `task_index`.
  static train_job job(uint64_t id, int64_t task_index, const model::Candidate& candidate);
  static train_reply reply(uint64_t id, const model::TrainResult& result);
  static model::TrainResult result(const train_reply& reply);
};

}  // namespace evostream::actors
