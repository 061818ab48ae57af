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
  /// The blob of `c`: identity, tensors and momentum traces.
  static component_blob encode(const model::Component& c);
  /// The component of `blob`, frozen if the blob says so.
  static model::Component decode(const component_blob& blob);
  /// The blob of one tensor (copied to the CPU as float32).
  static tensor_blob encode(const std::string& name, const at::Tensor& tensor);
  /// The tensor of `blob`; raises `std::invalid_argument` when its values do not fill its shape.
  static at::Tensor decode(const tensor_blob& blob);
  static hyper_blob encode(const model::Hyperparameters& hp);
  static model::Hyperparameters decode(const hyper_blob& blob);
  /// The job training `candidate` of task `task_index`.
  static train_job job(uint64_t id, int64_t task_index, const model::Candidate& candidate);
  static train_reply reply(uint64_t id, const model::TrainResult& result);
  static model::TrainResult result(const train_reply& reply);
};

}  // namespace evostream::actors
