#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace evostream::model {

/// What part of a ViT a component is.
enum class ComponentKind {
  kPatchEmbedding,     ///< conv kernel [dim, C, p, p] and bias [dim]
  kClassToken,         ///< [1, 1, dim]
  kPositionEmbedding,  ///< [1, 1 + grid², dim]
  kBlock,              ///< a pre-LN transformer block
  kAdapter,            ///< a residual adapter, applied before the block of the same index
  kFinalNorm,          ///< LayerNorm weight and bias
  kHead,               ///< classifier [classes, dim] and bias
  // The masked families (`MaskedFamily`, `MaskedVitFamily`):
  kRandomLinear,  ///< frozen random weights, stored as their seed and shape only
  kMask,          ///< a supermask on the random layer of its index: scores, or packed bits
  kAlpha,         ///< ImpressLearn's coefficients of the basis masks of its layer
  // The moe-vit family (`MoeVitFamily`):
  kTaskEmbedding,  ///< a task's embedding [1, 1, dim], added to the tokens before every block
  kMoeBlock,       ///< a block's norms and attention; its MLP is a mixture of experts
  kExperts,        ///< a group of MLP experts of the MoE block of its index
  kRouter,         ///< a task's router of the MoE block of its index, [experts, dim]
  kExpertUsage,    ///< how much a task used each expert of a router (on no path)
  /// A block's norms, its attention's shared keys and values and its dense MLP; its attention's
  /// queries and outputs are a mixture of attention experts.
  kAttentionMoeBlock,
  kAttentionExperts,  ///< a group of attention experts (query and output projections)
};

/// The name of a kind as used in ids and files, e.g. "block".
const char* kind_name(ComponentKind kind);
/// The kind of a name; raises `std::invalid_argument` for an unknown name.
ComponentKind kind_from_name(const std::string& name);

/// A named group of tensors with an owner: the unit of sharing, cloning and freezing.
///
/// A component's tensors are never written in place by the trainer: training works on clones and
/// the store swaps whole components. Once the store freezes a component, its content hash is
/// fixed and `ParameterStore::verify` checks it never changes.
class Component {
 public:
  Component() = default;
  /// A component with tensors `names[i]` = `tensors[i]`; not frozen.
  Component(std::string id, ComponentKind kind, int64_t index, std::string owner,
            std::string parent, std::vector<std::string> names, std::vector<at::Tensor> tensors);

  /// Unique id in the store, e.g. `root/block2` or `tops-4/head`.
  const std::string& id() const noexcept { return id_; }
  ComponentKind kind() const noexcept { return kind_; }
  /// Block or adapter index; -1 for other kinds.
  int64_t index() const noexcept { return index_; }
  /// The task that owns it (`root` for the root model's components).
  const std::string& owner() const noexcept { return owner_; }
  /// The id of the component it was cloned from; empty when freshly initialised.
  const std::string& parent() const noexcept { return parent_; }
  bool frozen() const noexcept { return frozen_; }
  const std::vector<std::string>& names() const noexcept { return names_; }
  const std::vector<at::Tensor>& tensors() const noexcept { return tensors_; }
  /// The tensor called `name`; raises `std::out_of_range` when there is none.
  const at::Tensor& tensor(const std::string& name) const;
  /// Total number of parameters.
  int64_t num_params() const;
  /// A hash of the kind, index, names, shapes and every byte of every tensor (16 hex digits).
  std::string content_hash() const;

  /// A deep copy (momentum included) under a new id and owner, unfrozen, with `parent` = this
  /// component's id.
  Component clone(const std::string& new_id, const std::string& new_owner) const;
  /// A deep copy (momentum included) with the same identity (id, owner, parent), unfrozen: what
  /// a trainer works on.
  Component copy() const;
  /// A copy on `device` ("cpu", "cuda:0", ...) with the same identity and frozen flag.
  Component to(const std::string& device) const;
  /// The same component with `tensors` replaced (same names and shapes); unfrozen copies only.
  Component with_tensors(std::vector<at::Tensor> tensors) const;
  /// Marks the component frozen and makes its tensors read-only to autograd.
  void freeze();

  /// The SGD momentum trace of each tensor when it was last trained, in tensor order; empty
  /// when it has none (untrained, or trained without momentum).
  ///
  /// µ2Net stores the optimizer state per component and copies it when the component is cloned,
  /// so a child continues with its parent's momentum (`reference/munet_spec.md` §6). It is
  /// training state, not part of the model: `content_hash` does not cover it.
  const std::vector<at::Tensor>& momentum() const noexcept { return momentum_; }
  /// The same component with momentum traces `traces` (one per tensor, same shapes; empty to
  /// drop them); raises `std::invalid_argument` otherwise.
  Component with_momentum(std::vector<at::Tensor> traces) const;
  /// A hash of the momentum traces (names, shapes, bytes), and of Adam's second moments and
  /// step count when it has them, as `content_hash` is of the tensors: snapshots store it so
  /// that a corrupted trace is found. Empty without traces.
  std::string momentum_hash() const;

  /// Adam's second moment of each tensor when it was last trained with its optimizer state
  /// carried (`OptimizerOptions::carry_state`; `momentum` then holds the first moments), in
  /// tensor order; empty otherwise. Training state, like `momentum`.
  const std::vector<at::Tensor>& second_moment() const noexcept { return second_moment_; }
  /// Adam's step count at that point, which its bias correction continues from; 0 without a
  /// second moment.
  int64_t optimizer_steps() const noexcept { return optimizer_steps_; }
  /// The same component with Adam's state: first moments `first` (its `momentum`), second
  /// moments `second` (one each per tensor, same shapes) and step count `steps` ≥ 1; all
  /// empty and 0 to drop it. Raises `std::invalid_argument` otherwise.
  Component with_adam_state(std::vector<at::Tensor> first, std::vector<at::Tensor> second,
                            int64_t steps) const;

 private:
  std::string id_;
  ComponentKind kind_ = ComponentKind::kHead;
  int64_t index_ = -1;
  std::string owner_;
  std::string parent_;
  bool frozen_ = false;
  std::vector<std::string> names_;
  std::vector<at::Tensor> tensors_;
  std::vector<at::Tensor> momentum_;
  std::vector<at::Tensor> second_moment_;
  int64_t optimizer_steps_ = 0;
};

/// The id of a component `task` derives: `TASK/KIND[INDEX]SUFFIX`, e.g. `tops-4/block2@0.1.3`
/// or `tops-4/head@0`.
std::string derived_id(const std::string& task, ComponentKind kind, int64_t index,
                       const std::string& suffix);

/// Read-only handles to `components`, in order (the components are moved into them).
std::vector<std::shared_ptr<const Component>> share(std::vector<Component> components);
/// Raw pointers to the components behind `handles`, in order (as `VitLayout::of` takes them).
std::vector<const Component*> pointers(
    const std::vector<std::shared_ptr<const Component>>& handles);

}  // namespace evostream::model
