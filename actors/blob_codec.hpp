#pragma once

#include "actors/component_cache.hpp"
#include "actors/messages.hpp"
#include "model/core/component.hpp"
#include "model/train/train_job.hpp"
#include "model/train/trainer.hpp"

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
  /// Whether `job` can train on another machine: it trains on its task (no data of its own)
  /// and its objective (if any) is one a name fully describes (`model::objective_named`);
  /// EWC's, LwF's and replay's carry tensors or data.
  static bool remotable(const model::TrainJob& job);
  /// Why `job` cannot train remotely, for the error a refused job carries.
  static std::string why_not_remotable(const model::TrainJob& job);
  /// The message `id` of `job` for task `task_index`; with `sent`, the frozen components that
  /// trainer already has go as references. Raises `std::invalid_argument` for an objective that
  /// `model::objective_named` does not know (one that carries data of its own).
  static train_job job(uint64_t id, int64_t task_index, const model::TrainJob& job,
                       SentComponents* sent = nullptr);
  /// The job a message carries; with `received`, references resolve to the components received
  /// before (without, a reference is an error).
  static model::TrainJob decode(const train_job& job, ReceivedComponents* received = nullptr);
  /// The reply for job `id` that trained to `result`, its validation curve included.
  static train_reply reply(uint64_t id, const model::TrainResult& result);
  /// The result a reply carries; raises `std::invalid_argument` when a component or the
  /// validation curve does not decode (counts that disagree).
  static model::TrainResult result(const train_reply& reply);
};

}  // namespace evostream::actors
