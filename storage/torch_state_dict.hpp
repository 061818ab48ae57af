#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace evostream::storage {

/// A PyTorch state dict: tensor names with their tensors, in the file's order.
using StateDict = std::vector<std::pair<std::string, at::Tensor>>;

/// Reads and writes the files `torch.save(model.state_dict(), f)` writes (the zip format,
/// PyTorch 1.6 and later).
///
/// Reading does not run Python: a small pickle machine takes what a state dict is made of
/// (dicts, `collections.OrderedDict`, lists, tuples, strings, numbers, tensors rebuilt from the
/// archive's storages, parameters) and refuses any other Python object by name. LibTorch 1.13's
/// own `pickle_load` cannot read an `OrderedDict`, i.e. any `model.state_dict()`. A checkpoint
/// that wraps the state dict (`{"state_dict": ...}` or `{"model": ...}`, as training scripts and
/// timm save them) is unwrapped. Every error raises `StorageError` naming the file: not a zip
/// archive (or the legacy pre-1.6 format), a missing record, a tensor reaching past its storage,
/// an unsupported type, a value that is not a tensor.
class TorchStateDict {
 public:
  /// Reads the state dict in `path`; its tensors are float32 copies on the CPU when they were
  /// floating point, and keep their type otherwise.
  static StateDict read(const std::string& path);
  /// Writes `tensors` as a dict of names to tensors that `torch.load` reads (through
  /// LibTorch's pickler), atomically.
  static void write(const std::string& path, const StateDict& tensors);
};

}  // namespace evostream::storage
