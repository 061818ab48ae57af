#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

#include "model/core/component.hpp"

namespace evostream::model {

/// The names timm's `VisionTransformer` (and `bench/peer/vit_peer.py`) gives a ViT path's
/// tensors, so that a path is a PyTorch state dict and a timm ViT's state dict is a root.
///
/// `patch_embed.proj.{weight,bias}`, `cls_token`, `pos_embed`, and for block K
/// `blocks.K.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}.{weight,bias}`, then
/// `norm.{weight,bias}` and `head.{weight,bias}`: the shapes are the same on both sides. timm has
/// no adapters; µ2Net's adapter before block K is `adapters.K.{ln,down,up}.{weight,bias}`, which
/// the peer reads and timm's strict loading refuses.
class TimmNames {
 public:
  /// The timm name of tensor `tensor` of `c`; raises `std::invalid_argument` for a component or
  /// tensor no ViT has.
  static std::string of(const Component& c, const std::string& tensor);
  /// Every tensor of `components` (a vit-family path, in path order) under its timm name.
  static std::vector<std::pair<std::string, at::Tensor>> state_dict(
      const std::vector<const Component*>& components);
};

}  // namespace evostream::model
